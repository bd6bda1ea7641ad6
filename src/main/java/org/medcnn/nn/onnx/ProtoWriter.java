package org.medcnn.nn.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A protocol-buffers message being written, field by field, in the wire format (varints, length-delimited fields,
 * little-endian fixed32): all that ONNX's {@code ModelProto} needs, without a protobuf library on the class path
 * (the TensorFlow engine may live in its own class loader with its own protobuf). Fields are written in call order.
 * Not thread-safe.
 */
final class ProtoWriter {

	private static final int VARINT = 0, LENGTH_DELIMITED = 2;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	/** An int64/int32/enum field (negative values take ten bytes, as protobuf's int64 does). */
	ProtoWriter int64(int field, long v) {
		tag(field, VARINT);
		varint(v);
		return this;
	}

	ProtoWriter string(int field, String s) {
		return bytes(field, s.getBytes(StandardCharsets.UTF_8));
	}

	ProtoWriter bytes(int field, byte[] b) {
		tag(field, LENGTH_DELIMITED);
		varint(b.length);
		out.writeBytes(b);
		return this;
	}

	ProtoWriter message(int field, ProtoWriter m) {
		return bytes(field, m.toByteArray());
	}

	/** A packed repeated int64 field. */
	ProtoWriter packedInt64(int field, long[] values) {
		ProtoWriter body = new ProtoWriter();
		for (long v : values) body.varint(v);
		return bytes(field, body.toByteArray());
	}

	/** A float field (wire type 5, fixed32). */
	ProtoWriter float32(int field, float v) {
		tag(field, 5);
		int bits = Float.floatToRawIntBits(v);
		for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
		return this;
	}

	byte[] toByteArray() {
		return out.toByteArray();
	}

	private void tag(int field, int wireType) {
		varint(((long) field << 3) | wireType);
	}

	private void varint(long v) {
		while ((v & ~0x7FL) != 0) {
			out.write((int) ((v & 0x7F) | 0x80));
			v >>>= 7;
		}
		out.write((int) v);
	}
}
