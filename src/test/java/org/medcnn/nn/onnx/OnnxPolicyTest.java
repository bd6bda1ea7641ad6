package org.medcnn.nn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The ONNX allow-list check (issue 14 item 4): hand-made models, each with one thing MedCNN never writes — an operator
 * outside the list, a custom domain or operator set, a subgraph attribute, external tensor data, training information,
 * no {@code input}/{@code output} — are refused with a message naming it; damaged bytes are refused as not ONNX; what
 * {@link OnnxGraph} writes passes. Also the weight permutation of the export on a hand-computed case.
 */
class OnnxPolicyTest {

	/** A model of one node {@code op} (domain {@code domain}) from {@code input} to {@code output}, edited by {@code node}. */
	static byte[] model(String op, String domain, String opsetDomain, Consumer<ProtoWriter> node, Consumer<ProtoWriter> graph,
		Consumer<ProtoWriter> model) {
		ProtoWriter n = new ProtoWriter().string(1, "input").string(2, "output").string(3, "n0").string(4, op);
		if (domain != null) n.string(7, domain);
		node.accept(n);
		ProtoWriter dim = new ProtoWriter().string(2, "batch");
		ProtoWriter type = new ProtoWriter().message(1, new ProtoWriter().int64(1, 1).message(2, new ProtoWriter().message(1, dim)));
		ProtoWriter g = new ProtoWriter().message(1, n).string(2, "g");
		graph.accept(g);
		g.message(11, new ProtoWriter().string(1, "input").message(2, type));
		g.message(12, new ProtoWriter().string(1, "output").message(2, type));
		ProtoWriter m = new ProtoWriter().int64(1, 8).message(7, g).message(8, new ProtoWriter().string(1, opsetDomain).int64(2, 17));
		model.accept(m);
		return m.toByteArray();
	}

	static byte[] model(String op) {
		return model(op, null, "", n -> {}, g -> {}, m -> {});
	}

	static String refusal(byte[] model) {
		return assertThrows(IllegalArgumentException.class, () -> OnnxPolicy.check(model)).getMessage();
	}

	@Test
	void aPlainAllowedModelPasses() {
		OnnxPolicy.Summary s = OnnxPolicy.check(model("Relu"));
		assertEquals(List.of("Relu"), List.copyOf(s.operators()));
		assertEquals(17, s.opset());
		assertEquals(8, s.irVersion());
	}

	@Test
	void operatorsOutsideTheListAndForeignDomainsAreRefused() {
		String m = refusal(model("Loop"));
		assertTrue(m.contains("Loop") && m.contains("n0"), m);
		m = refusal(model("Relu", "com.microsoft", "", n -> {}, g -> {}, x -> {}));
		assertTrue(m.contains("com.microsoft"), m);
		m = refusal(model("Relu", null, "com.example.custom", n -> {}, g -> {}, x -> {}));
		assertTrue(m.contains("com.example.custom"), m);
	}

	@Test
	void subgraphsExternalDataAndTrainingInformationAreRefused() {
		String m = refusal(model("Relu", null, "", n -> n.message(5, new ProtoWriter().string(1, "body").int64(20, 5)
			.message(6, new ProtoWriter().string(2, "sub"))), g -> {}, x -> {}));
		assertTrue(m.contains("subgraph") || m.contains("graph attribute"), m);
		m = refusal(model("Relu", null, "", n -> {}, g -> g.message(5, new ProtoWriter().int64(1, 4).int64(2, 1)
			.string(8, "w").message(13, new ProtoWriter().string(1, "location").string(2, "/etc/passwd"))), x -> {}));
		assertTrue(m.contains("external") && m.contains("'w'"), m);
		m = refusal(model("Relu", null, "", n -> {}, g -> g.message(5, new ProtoWriter().int64(1, 4).int64(2, 1)
			.string(8, "w").int64(14, 1)), x -> {}));
		assertTrue(m.contains("external"), m);
		m = refusal(model("Relu", null, "", n -> {}, g -> {}, x -> x.message(20, new ProtoWriter())));
		assertTrue(m.contains("training"), m);
		m = refusal(model("Relu", null, "", n -> {}, g -> {}, x -> x.message(25, new ProtoWriter())));
		assertTrue(m.contains("functions"), m);
	}

	@Test
	void damagedBytesAndMissingEndpointsAreRefused() {
		byte[] ok = model("Relu");
		for (int cut : new int[] {ok.length - 1, ok.length / 2, 3}) {
			String m = refusal(Arrays.copyOf(ok, cut));
			assertTrue(m.contains("not a valid ONNX model") || m.contains("no graph") || m.contains("must have the input"), m);
		}
		assertTrue(refusal(new byte[0]).contains("no graph"));
		byte[] noOutput = model("Relu", null, "", n -> {}, g -> {}, x -> {});
		// rename the graph output "output" to "outpuX"
		String s = new String(noOutput, java.nio.charset.StandardCharsets.ISO_8859_1);
		int at = s.lastIndexOf("output");
		noOutput[at + 5] = 'X';
		String m = refusal(noOutput);
		assertTrue(m.contains("output"), m);
	}

	@Test
	void theExportersModelPassesAndPermutesWeights() {
		OnnxGraph g = new OnnxGraph();
		OnnxGraph.Value x = g.input("input", new long[] {-1, -1, -1, 2}, "batch", "height", "width");
		String w = g.weight("k", new long[] {3, 3, 2, 4}, 3, 2, 0, 1);
		OnnxGraph.Value y = g.activation(g.conv(x, w, null, new int[] {3, 3}), "relu");
		g.output("output", y, new long[] {-1, -1, -1, 4}, "batch", "height", "width");
		float[] k = new float[72];
		for (int i = 0; i < k.length; i++) k[i] = i;
		OnnxPolicy.Summary s = OnnxPolicy.check(g.toBytes(Map.of("k", k), "test", "doc"));
		assertEquals(List.of("Conv", "Identity", "Relu", "Transpose"), List.copyOf(s.operators()));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.toBytes(Map.of("k", new float[3]),
			"test", "doc"));
		assertTrue(e.getMessage().contains("k") && e.getMessage().contains("72"), e.getMessage());
		// [2][3] → [3][2]: element (i, j) moves to (j, i)
		assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, OnnxGraph.permute(new float[] {0, 1, 2, 3, 4, 5}, new long[] {2, 3},
			new int[] {1, 0}));
		// TensorFlow's [kh][kw][cin][cout] → ONNX's [cout][cin][kh][kw]: element (h, w, c, o) = ((h·3 + w)·2 + c)·4 + o
		float[] p = OnnxGraph.permute(k, new long[] {3, 3, 2, 4}, new int[] {3, 2, 0, 1});
		int h = 2, wx = 1, c = 1, o = 3;
		assertEquals(((h * 3 + wx) * 2 + c) * 4 + o, p[((o * 2 + c) * 3 + h) * 3 + wx], 0);
	}
}
