// Unit tests train on our kernels, as the app and the pretrain scripts do (a GAN step on cpu takes
// over a minute without them); a test that needs stock tfjs says so with withStockKernels.
import { installKernels } from '../../src/models/kernels';

installKernels();
