package org.medcnn.dicom;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * DICOM unique identifiers under the {@code 2.25} root, which PS3.5 §B.2 reserves for UIDs derived from a
 * UUID: {@code 2.25.} followed by the UUID's 128 bits as an unsigned decimal integer (at most 44 characters,
 * well within the 64-character limit of the UI value representation).
 * <p>
 * {@link #random()} uses a random (version 4) UUID; {@link #fromSeed(String)} uses a name-based (version 3)
 * UUID so that synthetic data and tests produce the same UIDs on every run. Stateless and thread-safe.
 */
public final class Uids {

	/** The root PS3.5 §B.2 assigns to UUID-derived UIDs. */
	public static final String ROOT = "2.25";

	// Declared before IMPLEMENTATION_CLASS_UID, whose initialiser uses it.
	private static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

	/** Implementation Class UID written into the File Meta Information of files MedCNN creates. */
	public static final String IMPLEMENTATION_CLASS_UID = fromSeed("org.medcnn implementation class");

	/** Implementation Version Name written next to {@link #IMPLEMENTATION_CLASS_UID} (at most 16 characters). */
	public static final String IMPLEMENTATION_VERSION_NAME = "MEDCNN_1";

	private Uids() {}

	/** A new UID from a random UUID. */
	public static String random() {
		return fromUuid(UUID.randomUUID());
	}

	/**
	 * A UID determined by {@code seed}: the same seed gives the same UID, different seeds give different UIDs
	 * with the collision resistance of a name-based UUID.
	 *
	 * @throws IllegalArgumentException if seed is null
	 */
	public static String fromSeed(String seed) {
		if (seed == null) throw new IllegalArgumentException("UID seed must not be null");
		return fromUuid(UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)));
	}

	/** The {@code 2.25} UID of a UUID. */
	public static String fromUuid(UUID uuid) {
		BigInteger hi = BigInteger.valueOf(uuid.getMostSignificantBits()).and(MASK64);
		BigInteger lo = BigInteger.valueOf(uuid.getLeastSignificantBits()).and(MASK64);
		return ROOT + "." + hi.shiftLeft(64).or(lo);
	}

	/**
	 * Whether a string is a syntactically valid UID (PS3.5 §9.1): 1–64 characters, dot-separated numeric
	 * components, no leading zero in a multi-digit component.
	 */
	public static boolean isValid(String uid) {
		if (uid == null || uid.isEmpty() || uid.length() > 64) return false;
		for (String part : uid.split("\\.", -1)) {
			if (part.isEmpty()) return false;
			if (part.length() > 1 && part.charAt(0) == '0') return false;
			for (int i = 0; i < part.length(); i++)
				if (part.charAt(i) < '0' || part.charAt(i) > '9') return false;
		}
		return true;
	}
}
