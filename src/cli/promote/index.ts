// `cutover promote`: all traffic to the tested color, verified through the gateway.
import { promote } from '../../engine/promote.js';
import { switchCommand } from '../switch-command.js';

export default switchCommand('promote', promote);
