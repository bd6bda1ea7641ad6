package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ParallelTest {

	@Test
	void testRunsEachIndexOnceWithMonotoneProgress() throws IOException {
		int n = 1000;
		AtomicInteger[] runs = new AtomicInteger[n];
		for (int i = 0; i < n; i++) runs[i] = new AtomicInteger();
		List<Double> fractions = Collections.synchronizedList(new ArrayList<>());
		Parallel.forEachIndex(n, (f, m) -> fractions.add(f), null, "Test", i -> runs[i].incrementAndGet());
		for (int i = 0; i < n; i++) assertEquals(1, runs[i].get(), "index " + i);
		for (int i = 1; i < fractions.size(); i++) assertTrue(fractions.get(i) >= fractions.get(i - 1), "monotone");
	}

	@Test
	void testTheLowestFailingIndexWinsUnchanged() {
		for (int round = 0; round < 5; round++) {
			IOException e = assertThrows(IOException.class, () -> Parallel.forEachIndex(200, ProgressListener.NONE, null,
				"Test", i -> {
					if (i == 17 || i == 150) throw new IOException("bad " + i);
				}));
			assertEquals("bad 17", e.getMessage());
		}
	}

	@Test
	void testCancellationStopsTheWork() {
		Cancellation c = new Cancellation();
		c.cancel();
		AtomicInteger ran = new AtomicInteger();
		assertThrows(CancellationException.class,
			() -> Parallel.forEachIndex(100, ProgressListener.NONE, c, "Test", i -> ran.incrementAndGet()));
		assertEquals(0, ran.get());
	}
}
