package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.medcnn.common.CpuThreads;

/** TensorFlow's thread settings and the recognition of the native build. */
class TfEngineThreadsTest {

	@Test
	void trainingSessionsUseTheConfiguredThreads() {
		assertEquals(CpuThreads.configured(), TfEngine.trainingConfig().getIntraOpParallelismThreads());
		assertEquals(CpuThreads.configured() == 1 ? TfEngine.CALLER_THREAD : 1,
			TfEngine.trainingConfig().getInterOpParallelismThreads());
	}

	@Test
	void theCpuBuildIsRecognised() {
		assertTrue(!TfEngine.gpuBuild(), "the test class path holds the linux-x86_64 (CPU) native library");
	}
}
