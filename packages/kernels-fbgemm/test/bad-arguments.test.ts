import { describeBadArguments } from '../../kernels-common/test-suite/suite.js';
import { addon } from './addon.js';

describeBadArguments(addon);
