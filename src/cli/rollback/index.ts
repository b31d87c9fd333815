// `cutover rollback`: all traffic back to the previous color, verified.
import { rollback } from '../../engine/rollback.js';
import { switchCommand } from '../switch-command.js';

export default switchCommand('rollback', rollback);
