// `cutover rollback`: all traffic back to the previous color, verified.
import { rollback } from '../../engine/rollback.js';
import { releaseCommand } from '../release-command.js';
import { switchText } from '../switch-text.js';

// The redactor's Secrets are read in the switch's first round trip (ADR 0020).
export default releaseCommand('rollback', rollback, switchText, { secretsAlongside: true });
