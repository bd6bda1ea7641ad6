package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.EpochMetrics;

/**
 * A training checkpoint is untrusted input: a crafted {@value Checkpoint#STATE_FILE} is refused with a message naming
 * it, before anything it claims is built or allocated (a foreign class in the random state, a huge array, counts the
 * file cannot hold); a real one reads back exactly. The crafted files follow the layout documented in
 * {@link Checkpoint}.
 */
class CheckpointTest {

	@TempDir
	Path dir;

	@Test
	void writtenCheckpointReadsBackWithTheExactRandomState() throws IOException {
		Random rng = new Random(42);
		rng.nextGaussian(); // leaves a second Gaussian pending, which is part of the state
		EpochMetrics m = new EpochMetrics(1, 3, 0.5, 0.6, "dice", 0.7, 0.8, 1.5);
		Checkpoint.write(dir, new Checkpoint.State("g", "d", 1, 1, 0.6, List.of(m), rng, List.of("w"),
			new float[][] {{1, 2, 3}}, new float[][] {{4, 5}}));
		Checkpoint.State s = Checkpoint.read(dir);
		assertEquals(rng.nextGaussian(), s.random().nextGaussian());
		assertEquals(rng.nextLong(), s.random().nextLong());
		assertEquals(List.of(m), s.history());
		assertArrayEquals(new float[] {1, 2, 3}, s.variables()[0]);
		assertArrayEquals(new float[] {4, 5}, s.best()[0]);
	}

	@Test
	void aForeignClassInTheRandomStateIsRefusedBeforeItIsBuilt() throws IOException {
		HashMap<String, Object> gadget = new HashMap<>();
		gadget.put("k", new Tracer());
		IOException e = assertThrows(IOException.class, () -> Checkpoint.read(craft(serialise(gadget), 0, 0)));
		assertNamesFile(e);
		assertTrue(e.getMessage().contains("the class java.util.HashMap"), e.getMessage());
		assertEquals(0, Tracer.built, "nothing in the stream was deserialised");
	}

	@Test
	void anythingBesideTheRandomIsRefused() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
			o.writeObject(new Random(1));
			o.writeObject(new Tracer());
		}
		IOException e = assertThrows(IOException.class, () -> Checkpoint.read(craft(bytes.toByteArray(), 0, 0)));
		assertNamesFile(e);
		assertTrue(e.getMessage().contains("not exactly one java.util.Random"), e.getMessage());
		assertEquals(0, Tracer.built);
	}

	@Test
	void aHugeArrayInTheRandomStateIsRefusedBeforeItIsAllocated() throws IOException {
		// 2^31 − 1 longs would be 16 GiB, beyond the test JVM's heap: an attempt to allocate them would end in an
		// OutOfMemoryError, not in the IOException asserted here.
		byte[] huge = hugeLongArray();
		IOException e = assertThrows(IOException.class, () -> Checkpoint.read(craft(huge, 0, 0)));
		assertNamesFile(e);
		assertTrue(e.getMessage().contains("the class long[]"), e.getMessage());
		// The length limit itself, where an array class is admitted: judged on the length, before the allocation.
		Checkpoint.RestrictedFilter f = new Checkpoint.RestrictedFilter(Set.of(long[].class), huge.length);
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(huge))) {
			in.setObjectInputFilter(f);
			assertThrows(InvalidClassException.class, in::readObject);
		}
		assertEquals("an array of 2147483647 elements, more than its " + huge.length + " bytes can hold", f.refusal());
	}

	@Test
	void countsTheFileCannotHoldAreRefusedBeforeAllocation() throws IOException {
		byte[] random = serialise(new Random(3));
		IOException vars = assertThrows(IOException.class, () -> Checkpoint.read(craft(random, 100_000_000, 0)));
		assertNamesFile(vars);
		assertTrue(vars.getMessage().contains("variables count 100000000 needs at least"), vars.getMessage());
		IOException floats = assertThrows(IOException.class, () -> Checkpoint.read(craft(random, 1, Integer.MAX_VALUE)));
		assertNamesFile(floats);
		assertTrue(floats.getMessage().contains("float array count 2147483647"), floats.getMessage());
	}

	@Test
	void aTruncatedCheckpointIsNamed() throws IOException {
		Path folder = craft(serialise(new Random(3)), 1, 2);
		Path file = folder.resolve(Checkpoint.STATE_FILE);
		byte[] all = Files.readAllBytes(file);
		Files.write(file, java.util.Arrays.copyOf(all, all.length - 5));
		IOException e = assertThrows(IOException.class, () -> Checkpoint.read(folder));
		assertNamesFile(e);
	}

	private void assertNamesFile(IOException e) {
		assertTrue(e.getMessage().startsWith(dir.resolve(Checkpoint.STATE_FILE).toString()), e.getMessage());
	}

	/**
	 * A checkpoint of epoch 1 whose random state is {@code random}, claiming {@code variables} variables of
	 * {@code floats} floats each but holding one real float per claimed variable at most.
	 */
	private Path craft(byte[] random, int variables, int floats) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream o = new DataOutputStream(bytes)) {
			o.writeLong(Checkpoint.MAGIC);
			o.writeInt(Checkpoint.VERSION);
			o.writeUTF("graph");
			o.writeUTF("data");
			o.writeInt(1); // epoch
			o.writeInt(1); // best epoch
			o.writeDouble(0.5);
			o.writeInt(1); // history rows
			o.writeInt(1);
			o.writeInt(1);
			for (int i = 0; i < 2; i++) o.writeDouble(0.5);
			o.writeUTF("loss");
			for (int i = 0; i < 5; i++) o.writeDouble(0.5);
			o.writeInt(random.length);
			o.write(random);
			o.writeInt(variables);
			for (int i = 0; i < Math.min(variables, 3); i++) {
				o.writeUTF("v" + i);
				o.writeInt(floats);
				o.writeFloat(1);
			}
			o.writeInt(0); // best weights
		}
		Files.write(dir.resolve(Checkpoint.STATE_FILE), bytes.toByteArray());
		return dir;
	}

	private static byte[] serialise(Object o) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(o);
		}
		return bytes.toByteArray();
	}

	/** A serialised {@code long[1]} whose length field is changed to 2^31 − 1. */
	private static byte[] hugeLongArray() throws IOException {
		byte[] b = serialise(new long[] {7});
		// the stream ends with the length (4 bytes) and the one element (8 bytes)
		int at = b.length - 12;
		assertEquals(1, ByteBuffer.wrap(b, at, 4).getInt());
		ByteBuffer.wrap(b, at, 4).putInt(Integer.MAX_VALUE);
		return b;
	}

	/** Counts its deserialisations: a stand-in for a gadget whose readObject would act. */
	static final class Tracer implements Serializable {
		private static final long serialVersionUID = 1L;
		static int built;

		private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
			in.defaultReadObject();
			built++;
		}
	}
}
