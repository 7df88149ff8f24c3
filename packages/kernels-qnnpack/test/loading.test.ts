import { describeLoading } from '../../kernels-common/test-suite/suite.js';
import { addon } from './addon.js';

describeLoading(addon);
