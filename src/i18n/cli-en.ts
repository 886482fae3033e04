import type { cliZhCN } from './cli-zh-CN.ts';

// What the command line says to people (src/cli), in English; the same keys as cli-zh-CN.ts.
export const cliEn: Record<keyof typeof cliZhCN, string> = {
  'cli.help.title': 'station — body-worn camera collection station (执法记录仪采集站)',
  'cli.help.usage': 'Usage: station <command> [options]',
  'cli.help.environment':
    'Environment: STATION_HOME (data folder, default ./data), STATION_CONFIG (override file).',
  'cli.help.exitCodes': 'Exit codes: 0 success, 1 a check failed, 2 bad usage or configuration.',
  'cli.usage': 'Usage: {usage}',
  'cli.whichOne': 'station {group}: which one?',
  'cli.unknownCommand': 'station: unknown command "{command}"',
  'cli.unexpectedError': 'unexpected error: {detail}',

  'cli.summary.officers.add': 'Add an officer (or update name/unit of an existing badge)',
  'cli.summary.officers.list': 'List officers',
  'cli.summary.devices.assign': 'Hand a recorder to an officer for a period (default: from now, open-ended)',
  'cli.summary.devices.list': 'List recorders and who holds them',
  'cli.summary.ingest': 'Copy, hash, check and ledger every new recording from a mounted recorder or folder',
  'cli.summary.ledger': 'Print the ledger (台账): officer, badge, date and time span of every recording',
  'cli.summary.ledger.withdraw':
    "withdraw the archive clerk's decision on a recording (its confirmation or 'does not play back') with a reason; a correction in the audit log, and the recording waits for a decision again",
  'cli.summary.verify':
    'Re-hash every archived file, walk the audit chain, check every anchor of its head, the ledger seals and the access requests; exit 1 naming each problem',
  'cli.summary.access.request': 'Ask to view or copy recordings (art. 27, 28); prints the request id',
  'cli.summary.access.approve':
    'Approve an access request (a leader other than the requester); the grant runs for its days from now',
  'cli.summary.access.refuse': 'Refuse an access request (a leader other than the requester)',
  'cli.summary.access.list': 'List access requests and their grants',
  'cli.summary.export':
    'Make the evidence package of an approved copy request: files, SHA256SUMS, statement, ISO image',
  'cli.summary.audit.anchor':
    'Write the audit chain head now to every configured anchor folder (audit.anchorFolders) or --out, and print it',
  'cli.summary.audit.digest':
    'Print the audit chain head at the end of a day, to be kept outside the station',
  'cli.summary.audit.check':
    'Check that the audit log still holds the head a digest (saved with --json) recorded',
  'cli.summary.drivers': 'List recorder drivers, highest priority first',
  'cli.summary.serve':
    'Run the station: watch for docked recorders and copy them (npm start); stops on SIGINT/SIGTERM',
  'cli.summary.docks': 'Show recorders docked now and the most recent docks',
  'cli.summary.demo':
    'Dock a simulated recorder with real footage into the running station (start it with npm start)',
  'cli.summary.users.add': 'Add a dashboard user (the first admin is made this way)',
  'cli.summary.users.passwd': "Set a dashboard user's password (ends their sessions)",
  'cli.summary.users.list': 'List dashboard users',
  'cli.summary.users.confirm':
    'Confirm an account in a footage role made by an admin (a leader; it is inactive until then)',
  'cli.summary.users.token': 'Mint an API token for yourself (proven by your password); printed once',
  'cli.summary.cases.add':
    'Add a case (art. 4): number and enforcement type (行政检查, 行政处罚, 行政强制 …)',
  'cli.summary.cases.link':
    'Link a recording to a case, optionally at a stage (受案, 立案, 调查取证 … 查封, 扣押, 听证 …)',
  'cli.summary.cases.serve':
    'Record the date the final decision was served (art. 24: retention counts from it)',
  'cli.summary.cases.close': 'Mark a case closed',
  'cli.summary.cases.hold':
    'Keep every recording of a case permanently (evidence, obstruction, major-incident, mass-incident)',
  'cli.summary.cases.tag': 'Tag a recording as an art. 20 activity (its interruptions are raised louder)',
  'cli.summary.cases.show': 'Show a case with all its recordings (art. 22)',
  'cli.summary.cases.list': 'List cases',
  'cli.summary.retention':
    'Retention review (art. 24): recordings due for review, expiring soon, and held indefinitely',
  'cli.summary.retention.propose': 'Propose deleting a recording past its retention end (ops)',
  'cli.summary.retention.approve':
    'Approve a proposed deletion (leader); the file goes after the grace period',
  'cli.summary.retention.reject': 'Reject a proposed deletion (leader)',
  'cli.summary.retention.cancel': 'Withdraw a deletion still in its grace period',
  'cli.summary.retention.purge':
    'Remove the files of approved deletions whose grace period is over (the ledger rows stay)',
  'cli.summary.retention.proposals': 'List deletion proposals and their state',
  'cli.summary.retention.hold':
    'Keep a recording permanently (evidence, obstruction, major-incident, mass-incident)',
  'cli.summary.interruptions.list':
    'Interruptions (art. 18) not yet accepted: each gap, its explanation and whether it is accepted',
  'cli.summary.interruptions.explain': "Record the officer's written reason for an interruption (art. 18)",
  'cli.summary.interruptions.accept':
    "Accept the officer's explanation of an interruption (the clerk's step)",
  'cli.summary.stats':
    'Monthly statistics per officer (art. 30): recordings, hours, late exports, gaps, damaged, unconfirmed',
  'cli.summary.district.addStation':
    "The district administrator's step: a PostgreSQL login for one station, bound to its own rows",
  'cli.summary.district.serve':
    'The dashboard in district mode: every station from PostgreSQL and the bucket; stops on SIGINT/SIGTERM',
  'cli.summary.district.migrate':
    "Create or update the district ledger's tables in PostgreSQL (district.postgresUrl)",
  'cli.summary.district.sync':
    'One pass now: upload, lock and verify what the district is owed, anchor the audit chain',
  'cli.summary.district.status':
    "This station's district backlog: pending, uploading, verified, failed, last contact, anchors",
  'cli.summary.district.ledger': "The district ledger (every station's recordings) from PostgreSQL, filtered",

  'cli.error.required': '{what} is required',
  'cli.error.oneUserName': 'give exactly one user NAME',
  'cli.error.wholeNumber': '{option} must be a whole number >= 1',
  'cli.error.integer': '{option} must be a whole number',
  'cli.error.date': '{option} must be a date YYYY-MM-DD (station local date), got "{value}"',
  'cli.error.dateOrTime': '{option} must be a date YYYY-MM-DD or an ISO time, got "{value}"',
  'cli.error.month': '{option} must be YYYY-MM, got "{value}"',
  'cli.error.oneOf': '{option} must be one of {choices}',
  'cli.error.jsonOrCsv': 'choose one of --json and --csv',
  'cli.error.roleOneOf': '--role must be one of {roles}',
  'cli.error.noUser': 'no user "{name}"',
  'cli.error.noCase': 'no case {number}',
  'cli.error.notFolder': '{path} is not a folder',
  'cli.error.noOfficerBadge': 'no officer with badge {badge}; add them first (station officers add)',
  'cli.error.idList': '{option}: not a list of ids: {value}',
  'cli.error.recordingId': 'recording id must be a number, got "{value}"',
  'cli.error.interruptionId': 'interruption id must be a number, got "{value}"',
  'cli.error.noPasswordOnStdin': 'no password on stdin',
  'cli.error.cannotRead': 'cannot read {file}: {detail}',
  'cli.error.unknownOption': 'unknown option {option}',
  'cli.error.optionValue': 'wrong value for option {option}',
  'cli.error.unexpectedWord': 'unexpected argument {option}',

  'cli.officers.saved': 'officer {name} ({badge}) saved',
  'cli.officers.unit': 'Unit',
  'cli.users.added': 'user {name} ({role}) added',
  'cli.users.awaitingConfirmation': '; active once a leader confirms it (station users confirm)',
  'cli.users.passwordChanged': 'password of {name} changed; their sessions have ended',
  'cli.users.confirmed': 'user {name} ({role}) confirmed by {by}',
  'cli.users.name': 'Name',
  'cli.users.role': 'Role',
  'cli.users.disabled': 'Disabled',
  'cli.users.created': 'Created',
  'cli.devices.assigned': 'recorder {serial} assigned to {name} ({badge}) from {from}',
  'cli.ingest.dock': 'dock #{id}: {state}; driver {driver}; recorder {device}',
  'cli.ingest.unknownDevice': 'unknown',
  'cli.ingest.counts': 'archived {archived}, duplicates {duplicates}, not archived {skipped}',
  'cli.ingest.duplicateOf': 'duplicate of #{id}',
  'cli.ingest.skipped': 'skipped {path}: {reason}',
  'cli.ingest.stopped': 'stopped: {reason}',
  'cli.verify.file': '{problem} FILE #{id} {path}',
  'cli.verify.auditEntry': '{problem} AUDIT ENTRY #{id}: {detail}',
  'cli.verify.anchor': '{problem} AUDIT LOG (anchor in {source}): {detail}',
  'cli.verify.ledgerRow': '{problem} LEDGER ROW #{id}: {detail}',
  'cli.verify.archive': 'archive: {checked} files checked, {ok} intact, {problems} with problems',
  'cli.verify.auditChain': 'audit chain: {checked} entries, head #{head}, {problems} problems',
  'cli.verify.anchors':
    'anchors: {checked} heads kept outside the database checked ({sources}), {problems} problems',
  'cli.verify.ledger': 'ledger: {checked} rows checked against their seals, {problems} problems',
  'cli.verify.accessRequest': 'EDITED ACCESS REQUEST #{id}: {detail}',
  'cli.verify.accessRequests':
    'access requests: {checked} checked against their audit entries, {problems} problems',
  'cli.verify.problem.missing': 'MISSING',
  'cli.verify.problem.changed': 'CHANGED',
  'cli.verify.problem.unreadable': 'UNREADABLE',
  'cli.verify.problem.deleted': 'DELETED',
  'cli.verify.problem.reordered': 'REORDERED',
  'cli.verify.problem.edited': 'EDITED',
  'cli.verify.problem.broken-link': 'BROKEN-LINK',
  'cli.verify.problem.rewritten': 'REWRITTEN',
  'cli.verify.problem.unsealed-row': 'UNSEALED-ROW',
  'cli.verify.problem.forbidden-change': 'FORBIDDEN-CHANGE',
  'cli.verify.problem.edited-row': 'EDITED-ROW',
  'cli.verify.problem.deleted-row': 'DELETED-ROW',
  'cli.access.request': 'access request #{id}: {state}; {mode} for {user}; purpose {purpose}',
  'cli.access.recordingsList': 'recordings {recordings}',
  'cli.access.recordingsOfCase': 'recordings {recordings} case {case}',
  'cli.access.reason': 'Reason: {reason}',
  'cli.access.party': 'Requesting party: {party}',
  'cli.ledger.withdrawn':
    'recording #{id}: withdrew “{decision}” (reason: {reason}); it waits for a decision again',
  'cli.access.valid': 'valid {from} until {until}',
  'cli.export.exported': 'exported {count} files for request #{id} to {folder}',
  'cli.export.manifest': 'manifest {file}',
  'cli.export.statement': 'statement {files}',
  'cli.export.disc': 'disc image {file} ({bytes} bytes, sha256 {sha256})',
  'cli.audit.noAnchorFolder': 'no anchor folder: set audit.anchorFolders in the config or give --out',
  'cli.audit.empty': 'the audit log is empty',
  'cli.audit.writtenTo': 'written to: {sources}',
  'cli.audit.rewritten':
    'audit entry #{id} no longer has hash {hash}: entries up to the {date} digest were removed or rewritten',
  'cli.audit.stillHolds': 'audit log still holds the {date} head #{id}',
  'cli.audit.notDigest': '{file} is not a digest printed by station audit digest --json',
  'cli.cases.added': 'case {number} ({type}) added',
  'cli.cases.linked': 'recording #{id} linked to case {number}',
  'cli.cases.linkedAt': 'recording #{id} linked to case {number} at {stage}',
  'cli.cases.served': 'case {number}: final decision served {date}',
  'cli.cases.closed': 'case {number} closed',
  'cli.cases.held': 'case {number}: {kind}',
  'cli.cases.tagged': 'recording #{id} tagged: {activity}',
  'cli.retention.asOf': 'retention review as of {date}',
  'cli.retention.expiring': 'expiring within {days} days',
  'cli.retention.step': 'recording #{id}: {done}',
  'cli.retention.proposed': 'deletion proposed',
  'cli.retention.approved': 'deletion approved; the file is removed after the grace period',
  'cli.retention.rejected': 'deletion rejected',
  'cli.retention.cancelled': 'deletion withdrawn',
  'cli.retention.deleted': 'deleted: {ids}',
  'cli.retention.withdrawn': 'withdrawn #{id}: {reason}',
  'cli.retention.deletedAt': 'Deleted',
  'cli.retention.held': 'recording #{id}: {kind}',
  'cli.interruptions.accepted': 'accepted',
  'cli.interruptions.awaitingAcceptance': 'explained, awaiting acceptance',
  'cli.interruptions.explained': 'interruption #{id} explained by {by}',
  'cli.interruptions.acceptedBy': 'interruption #{id} accepted by {by}',
  'cli.stats.written': 'monthly report for {month} written to {file}',
  'cli.drivers.id': 'Driver',
  'cli.drivers.priority': 'Priority',
  'cli.drivers.name': 'Name',
  'cli.drivers.source': 'Defined in',
  'cli.demo.docked': 'recorder {serial} (badge {badge}) docked at {root}',
  'cli.demo.notPickedUp':
    'no running station picked the recorder up within {seconds} s; start one with `npm start` (STATION_HOME={home}) and it will be docked then',
  'cli.demo.finished': 'dock #{id}: {state}; {done}/{total} files',
  'cli.district.stationRequired': '--station ID is required (the station.id of the station)',
  'cli.district.accountMade': 'district ledger: role “{role}” may write only rows of station {station}',
  'cli.district.accountUrl': 'set district.postgresUrl on that station to: {url}',
  'cli.district.noUsers':
    'no users yet: add them with npx station users add NAME --role leader|auditor|clerk --password-stdin',
  'cli.district.noObjectLock':
    'bucket “{bucket}” has no Object Lock: footage there could be deleted or overwritten; create the bucket with Object Lock enabled (S3 CreateBucket with ObjectLockEnabledForBucket)',
  'cli.district.schemaMissing':
    'the district ledger is at schema {version}, this station needs {needed}: run station district migrate',
  'cli.district.notConfigured':
    'no "district" in the configuration: set district.s3 and district.postgresUrl (see README, District archive)',
  'cli.district.noStationId':
    'configuration key "station.id": required when "district" is set (a short stable id, e.g. ft-dongtiejiangying)',
  'cli.district.unreachable': 'district unreachable ({code}): {detail}',
  'cli.district.migrated': 'district ledger: applied schema {versions}',
  'cli.district.upToDate': 'district ledger: schema up to date',
  'cli.district.ledgerCapped':
    'only the first {count} rows are shown: narrow them with --station, --badge, --from or --to',
  'cli.district.failed': 'FAILED #{id}: {error}',
  'cli.district.synced':
    'district sync: {uploaded} uploaded and verified, {failed} failed, {relocked} locks extended, {evicted} local copies removed',
  'cli.district.anchored': ', audit chain anchored at #{id}',
  'cli.serve.noUsers':
    'no users yet: open {url} on this PC to create the first administrator, or run: npx station users add NAME --role admin --password-stdin',

  'audit.digest.title': 'audit digest {date}',
  'audit.anchor.title': 'audit chain anchor {at}',
  'audit.headEntry': 'head entry: {id}',
  'audit.headHash': 'head hash: {hash}',
  'audit.entries': 'entries: {count}',
};
