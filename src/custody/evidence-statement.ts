import { type Language, translator } from '../i18n/catalogue.ts';
import { formatDateTime } from '../i18n/format.ts';
import type { Recording } from '../ledger/recordings.ts';
import type { AccessRequest } from './access-requests.ts';

export interface ExportedFile {
  recording: Recording;
  /** Path inside the export, e.g. files/12-VID_0001.mp4. */
  name: string;
  sha256: string;
  sizeBytes: number;
}

/** Art. 25: the written statement of how, when and by whom the copy was made and what it proves. */
export interface StatementFacts {
  language: Language;
  zone: string;
  unit: string;
  maker: string;
  madeAt: Date;
  request: AccessRequest;
  files: ExportedFile[];
}

interface Section {
  heading: string;
  lines: string[];
}

function sections(facts: StatementFacts): { title: string; sections: Section[]; table: string[][] } {
  const t = translator(facts.language);
  // A statement is read by people: the station's wall clock, as every page shows it.
  const time = (iso: string | null) => formatDateTime(iso, facts.zone) || '-';
  const { request } = facts;
  const subject = facts.files.map((file) =>
    t('statement.subjectLine', {
      id: file.recording.id,
      officer:
        [file.recording.officerName, file.recording.badge].filter(Boolean).join(' ') ||
        t('common.unassigned'),
      start: time(file.recording.start),
      end: time(file.recording.end),
    }),
  );
  const result: Section[] = [
    { heading: t('statement.unit'), lines: [facts.unit] },
    { heading: t('statement.method'), lines: [t('statement.methodText')] },
    { heading: t('statement.time'), lines: [time(facts.madeAt.toISOString())] },
    { heading: t('statement.maker'), lines: [facts.maker] },
    { heading: t('statement.subject'), lines: subject },
    {
      heading: t('statement.request'),
      lines: [
        t('statement.requestText', {
          id: request.id,
          purpose: request.purposeLabel,
          user: request.user,
          approver: request.decidedBy ?? '-',
          approvedAt: time(request.decidedAt),
          validUntil: time(request.validUntil),
        }),
        ...(request.requestingParty ? [`${t('statement.party')}: ${request.requestingParty}`] : []),
        ...(request.reason ? [`${t('statement.reason')}: ${request.reason}`] : []),
        ...(request.caseNumber ? [`${t('statement.case')}: ${request.caseNumber}`] : []),
        ...(request.thirdPartyReview ? [t('statement.thirdPartyWarning')] : []),
      ],
    },
  ];
  const table = [
    [t('ledger.id'), t('statement.file'), t('statement.size'), t('ledger.sha256')],
    ...facts.files.map((file) => [`#${file.recording.id}`, file.name, String(file.sizeBytes), file.sha256]),
  ];
  return { title: t('statement.title'), sections: result, table };
}

export function statementText(facts: StatementFacts): string {
  const t = translator(facts.language);
  const { title, sections: parts, table } = sections(facts);
  const lines = [title, '='.repeat(title.length * 2), ''];
  for (const section of parts)
    lines.push(`${section.heading}:`, ...section.lines.map((line) => `  ${line}`), '');
  lines.push(`${t('statement.files')}:`, ...table.map((row) => `  ${row.join('  ')}`), '');
  lines.push(t('statement.declaration'), '', t('statement.signature'), '');
  return lines.join('\n');
}

export function statementHtml(facts: StatementFacts): string {
  const t = translator(facts.language);
  const { title, sections: parts, table } = sections(facts);
  const [header, ...rows] = table;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    '<dl>',
    ...parts.map(
      (section) =>
        `<dt>${escapeHtml(section.heading)}</dt>${section.lines.map((line) => `<dd>${escapeHtml(line)}</dd>`).join('')}`,
    ),
    '</dl>',
    `<h2>${escapeHtml(t('statement.files'))}</h2>`,
    '<table>',
    `<tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`,
    ...rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`),
    '</table>',
    `<p class="declaration">${escapeHtml(t('statement.declaration'))}</p>`,
    `<p class="signature">${escapeHtml(t('statement.signature'))}</p>`,
  ];
  return `<!doctype html>
<html lang="${facts.language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: "Noto Serif CJK SC", "SimSun", serif; max-width: 48rem; margin: 2rem auto; }
  dt { font-weight: bold; margin-top: 0.8rem; }
  table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
  th, td { border: 1px solid #000; padding: 0.2rem 0.4rem; text-align: left; word-break: break-all; }
  .declaration { margin-top: 1.5rem; font-weight: bold; }
  .signature { margin-top: 3rem; }
  @media print { body { margin: 0; } }
</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
