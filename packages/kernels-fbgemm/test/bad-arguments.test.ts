import { describeOpArguments } from '../../kernels-common/test-suite/op-arguments.js';
import { describeBadArguments } from '../../kernels-common/test-suite/suite.js';
import { addon } from './addon.js';

describeBadArguments(addon);
describeOpArguments(addon);
