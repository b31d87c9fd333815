// `cutover promote`: all traffic to the tested color, verified through the gateway.
import { promote } from '../../engine/promote.js';
import { releaseCommand } from '../release-command.js';
import { switchText } from '../switch-text.js';

// The redactor's Secrets are read in the switch's first round trip (ADR 0020).
export default releaseCommand('promote', promote, switchText, { secretsAlongside: true });
