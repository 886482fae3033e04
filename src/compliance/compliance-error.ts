import { TranslatedError } from '../i18n/translated-error.ts';
import { LedgerError } from '../ledger/officers.ts';

/** A request the compliance rules cannot take as given (unknown case, wrong stage): CLI exit code 2. */
export class ComplianceError extends LedgerError {}

/** A retention rule refused the step (deletion before its time, a hold, an open case): CLI exit code 1. */
export class RetentionRefused extends TranslatedError {}
