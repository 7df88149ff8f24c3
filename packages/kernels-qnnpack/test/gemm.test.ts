import { describeIm2col } from '../../kernels-common/test-suite/im2col.js';
import { describeSGemmStrided } from '../../kernels-common/test-suite/sgemm.js';
import { describeQGemm, describeSGemm } from '../../kernels-common/test-suite/suite.js';
import { addon } from './addon.js';

describeQGemm(addon);
describeSGemm(addon);
describeSGemmStrided(addon);
describeIm2col(addon);
