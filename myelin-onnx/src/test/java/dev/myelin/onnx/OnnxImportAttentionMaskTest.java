package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.onnx.proto.AttributeProto;
import dev.myelin.onnx.proto.GraphProto;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.onnx.proto.NodeProto;
import dev.myelin.onnx.proto.OperatorSetIdProto;
import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.onnx.proto.ValueInfoProto;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A masked MultiHeadAttention call, {@code mha(query, value, attention_mask=mask, use_causal_mask=...)}, exported
 * ({@code Greater(mask, 0.5)} → [{@code Unsqueeze}] → [{@code And} with the causal triangle] → {@code Where} of the
 * scores) reads back as one layer called with the mask input, and predicts the same, fully masked rows included;
 * the same graph with a bool mask input (no Greater) reads back with the mask fed as 0/1 floats.
 */
class OnnxImportAttentionMaskTest {
    private static final int HEADS = 2, BATCH = 3;

    /** One masked call: T queries over S keys, causal or not, the mask input of {@code maskShape} (without the batch). */
    record Case(String name, boolean causal, int t, int s, int[] maskShape) {
        @Override
        public String toString() {
            return name;
        }

        Model model() {
            SymbolicTensor q = Input.named("query", t, 6), v = Input.named("value", s, 5), mask = Input.named("mask", maskShape);
            MultiHeadAttention mha = new MultiHeadAttention(HEADS, 3).name("mha");
            return TestModels.randomizeWeights(new Model(List.of(q, v, mask), List.of(mha.apply(q, v, null, mask, causal))), 7);
        }

        List<Tensor> inputs() {
            return List.of(TestModels.input(1, BATCH, t, 6), TestModels.input(2, BATCH, s, 5), mask(3, maskShape));
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("[T, S] mask, 4 queries over 7 keys", false, 4, 7, new int[] {4, 7}),
                new Case("[T, S] mask and causal, 6 over 6", true, 6, 6, new int[] {6, 6}),
                new Case("[1, S] mask (padding), 4 over 7", false, 4, 7, new int[] {1, 7}),
                new Case("[H, T, S] mask, 4 over 7", false, 4, 7, new int[] {HEADS, 4, 7}),
                new Case("[H, T, S] mask and causal, 5 over 5", true, 5, 5, new int[] {HEADS, 5, 5}),
                new Case("[1, T, S] mask and causal, 4 over 7", true, 4, 7, new int[] {1, 4, 7}));
    }

    /**
     * Random 0/1 masks of {@code shape} after the batch, example 0 masking every key (a fully padded example)
     * and example 1 its first row (a query that sees nothing): Keras and Myelin attend uniformly there.
     */
    static Tensor mask(long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        int per = Arrays.stream(shape).reduce(1, (a, b) -> a * b), s = shape[shape.length - 1];
        float[] m = new float[BATCH * per];
        for (int i = per; i < m.length; i++) m[i] = rng.nextDouble() < 0.6 ? 1 : 0;
        Arrays.fill(m, per, per + s, 0f);
        return Tensor.of(m, Stream.concat(Stream.of(BATCH), Arrays.stream(shape).boxed()).mapToInt(Integer::intValue).toArray());
    }

    private static MultiHeadAttention onlyAttention(Model m) {
        List<MultiHeadAttention> found = m.layers().stream().filter(l -> l instanceof MultiHeadAttention).map(l -> (MultiHeadAttention) l).toList();
        assertEquals(1, found.size(), "one MultiHeadAttention layer in " + m.layers());
        return found.getFirst();
    }

    /** The imported model: one MultiHeadAttention reading the mask input with the causal flag, predicting bit for bit what {@code model} does. */
    private static void assertSameMaskedAttention(Case c, Model model, Model back) {
        MultiHeadAttention mha = onlyAttention(back);
        assertEquals(HEADS, mha.numHeads());
        SymbolicTensor out = back.outputs().getFirst();
        assertEquals(mha, out.layer());
        assertEquals("mask", out.keywordTensors().get(MultiHeadAttention.ATTENTION_MASK).inputName());
        assertEquals(c.causal(), Boolean.TRUE.equals(out.callOptions().get(MultiHeadAttention.USE_CAUSAL_MASK)));
        assertEquals(model.countParams(), back.countParams());

        List<Tensor> in = c.inputs();
        float[] want = model.call(in, false).getFirst().toFloatArray();
        assertArrayEquals(want, back.call(in, false).getFirst().toFloatArray(), c.name());
        Tensor ones = Tensor.of(filled(in.get(2).size(), 1f), in.get(2).shape().toArray());
        assertFalse(Arrays.equals(want, back.call(List.of(in.get(0), in.get(1), ones), false).getFirst().toFloatArray()), "the mask matters");
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anExportedMaskedAttentionReadsBackAsOneLayerCalledWithTheMaskInput(Case c) throws Exception {
        Model model = c.model();
        byte[] onnx = OnnxExport.toBytes(model);
        assertTrue(ops(onnx).contains("Greater"), "the export writes the mask subgraph");
        assertSameMaskedAttention(c, model, OnnxImport.fromBytes(onnx, c.name(), Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void onnxRuntimeComputesWhatMyelinDoesOnTheExportedFileFullyMaskedRowsIncluded(Case c) throws Exception {
        Model model = c.model();
        List<Tensor> in = c.inputs();
        Tensor got = OnnxRuntime.run(OnnxExport.toBytes(model), in).getFirst();
        double diff = OnnxRuntime.maxAbsDiff(got, model.call(in, false).getFirst());
        assertTrue(diff <= 1e-5, c.name() + ": differs by " + diff);
    }

    // ---- a bool mask input ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBoolMaskInputReadsBackAsA01FloatMask(Case c) throws Exception {
        Model model = c.model();
        byte[] onnx = withBoolMask(OnnxExport.toBytes(model));
        assertFalse(ops(onnx).contains("Greater"));
        assertSameMaskedAttention(c, model, OnnxImport.fromBytes(onnx, c.name(), Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void onnxRuntimeFedABoolMaskComputesWhatMyelinFedTheSame01FloatsDoes(Case c) throws Exception {
        Model model = c.model();
        List<Tensor> in = c.inputs();
        byte[] onnx = withBoolMask(OnnxExport.toBytes(model));
        Tensor got = OnnxRuntime.run(onnx, in, Set.of("mask")).getFirst();
        Tensor want = OnnxImport.fromBytes(onnx, c.name(), Map.of()).call(in, false).getFirst();
        double diff = OnnxRuntime.maxAbsDiff(got, want);
        assertTrue(diff <= 1e-5, c.name() + ": differs by " + diff);
    }

    @Test
    void aMaskSharedByTwoAttentionsReadsBackIntoBothAsFloatOrBool() throws Exception {
        // a padding mask given to every layer, as in an encoder stack: the second attention reads the first one's output
        SymbolicTensor q = Input.named("query", 4, 6), v = Input.named("value", 7, 6), mask = Input.named("mask", 1, 7);
        SymbolicTensor h = new MultiHeadAttention(HEADS, 3).apply(q, v, null, mask, false);
        Model model = TestModels.randomizeWeights(new Model(List.of(q, v, mask), List.of(new MultiHeadAttention(HEADS, 2).apply(h, v, null, mask, false))), 9);
        List<Tensor> in = List.of(TestModels.input(1, BATCH, 4, 6), TestModels.input(2, BATCH, 7, 6), mask(3, 1, 7));
        float[] want = model.call(in, false).getFirst().toFloatArray();
        byte[] onnx = OnnxExport.toBytes(model);
        for (byte[] file : List.of(onnx, withBoolMask(onnx))) {
            Model back = OnnxImport.fromBytes(file, "shared mask", Map.of());
            List<SymbolicTensor> masks = back.layers().stream().filter(l -> l instanceof MultiHeadAttention)
                    .map(l -> back.outputs().getFirst().layer() == l ? back.outputs().getFirst() : back.outputs().getFirst().inputs().getFirst())
                    .map(t -> t.keywordTensors().get(MultiHeadAttention.ATTENTION_MASK)).toList();
            assertEquals(2, masks.size());
            assertTrue(masks.stream().allMatch(t -> t == back.inputs().get(2)), "both read the mask input");
            assertArrayEquals(want, back.call(in, false).getFirst().toFloatArray());
        }
    }

    /** The exported graph with its mask input of type bool, read by the Unsqueeze/And/Where directly (the Greater and its 0.5 gone). */
    static byte[] withBoolMask(byte[] onnx) throws FileFormatException {
        return rewrite(onnx, n -> n.opType().equals("Greater") ? null : n, t -> t, in -> in.name().equals("mask")
                ? new ValueInfoProto(in.name(), TensorProto.BOOL, in.dims(), in.dimParams()) : in);
    }

    /** {@code onnx} without its nodes of type {@code op} (each one's output replaced by its first input in the nodes after it). */
    private static byte[] without(byte[] onnx, String op) throws FileFormatException {
        return rewrite(onnx, n -> n.opType().equals(op) ? null : n, t -> t, in -> in);
    }

    /**
     * {@code onnx} with its nodes mapped by {@code node} (null drops one: its output is replaced by its first input
     * in the nodes after it), its initializers by {@code initializer} (those no node reads dropped) and its inputs by {@code input}.
     */
    private static byte[] rewrite(byte[] onnx, UnaryOperator<NodeProto> node, UnaryOperator<TensorProto> initializer, UnaryOperator<ValueInfoProto> input)
            throws FileFormatException {
        ModelProto p = ModelProto.parse(onnx, "exported");
        GraphProto g = p.graph();
        Map<String, String> renamed = new HashMap<>();
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : g.nodes()) {
            List<String> in = n.inputs().stream().map(i -> renamed.getOrDefault(i, i)).toList();
            NodeProto mapped = node.apply(new NodeProto(n.name(), n.opType(), n.domain(), in, n.outputs(), n.attributes()));
            if (mapped != null) nodes.add(mapped);
            else renamed.put(n.outputs().getFirst(), in.getFirst());
        }
        Set<String> read = new java.util.HashSet<>();
        nodes.forEach(n -> read.addAll(n.inputs()));
        List<TensorProto> initializers = g.initializers().stream().filter(t -> read.contains(t.name())).map(initializer).toList();
        GraphProto rewritten = new GraphProto(g.name(), nodes, initializers, g.inputs().stream().map(input).toList(), g.outputs(), g.valueInfo());
        return new ModelProto(p.irVersion(), p.opsetImports(), p.producerName(), p.producerVersion(), rewritten).toByteArray();
    }

    private static List<String> ops(byte[] onnx) throws FileFormatException {
        return ModelProto.parse(onnx, "exported").graph().nodes().stream().map(NodeProto::opType).toList();
    }

    // ---- what is refused ----

    private static String refused(byte[] onnx, Map<String, Tensor> constants) {
        var e = assertThrows(FileFormatException.class, () -> OnnxImport.fromBytes(onnx, "bad.onnx", constants));
        assertTrue(e.getMessage().startsWith("bad.onnx: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aBoolInputReadByAnythingButAnAttentionIsRefusedNamingTheInput() {
        List<Long> shape = Arrays.asList(null, 4L);
        GraphProto g = new GraphProto("g", List.of(
                new NodeProto("to_float", "Cast", "", List.of("keep"), List.of("keep_f"), List.of(AttributeProto.ofInt("to", TensorProto.FLOAT))),
                new NodeProto("sum", "Add", "", List.of("x", "keep_f"), List.of("y"), List.of())), List.of(),
                List.of(ValueInfoProto.floatTensor("x", shape), new ValueInfoProto("keep", TensorProto.BOOL, shape, Arrays.asList("N", null))),
                List.of(ValueInfoProto.floatTensor("y", shape)), List.of());
        byte[] onnx = new ModelProto(8, List.of(new OperatorSetIdProto("", 17)), "test", "", g).toByteArray();
        String m = refused(onnx, Map.of());
        assertTrue(m.contains("to_float") && m.contains("bool graph input 'keep'") && m.contains("attention mask"), m);
    }

    @Test
    void aMaskBoundToAConstantIsRefusedNamingIt() {
        Case c = cases().findFirst().orElseThrow();
        String m = refused(OnnxExport.toBytes(c.model()), Map.of("mask", Tensor.of(filled(4 * 7, 1f), 1, 4, 7)));
        assertTrue(m.contains("attention mask 'mask'") && m.contains("constant"), m);
    }

    @Test
    void aTSMaskReachingThePerHeadScoresWithoutUnsqueezeIsRefusedNamingTheExpectedShape() throws Exception {
        Case c = cases().findFirst().orElseThrow(); // mask [N, T, S]: ONNX would broadcast its batch axis over the heads
        String m = refused(without(OnnxExport.toBytes(c.model()), "Unsqueeze"), Map.of());
        assertTrue(m.contains("attention mask 'mask'") && m.contains("[N, heads or 1, T or 1, S]"), m);
    }

    @Test
    void aThresholdOtherThanHalfIsLeftToTheNodeByNodeImportWhichRefusesTheGreater() throws Exception {
        // Greater(mask, 0) keeps what Myelin's mask (above 0.5) would drop for values in (0, 0.5]: not the same call
        Case c = cases().findFirst().orElseThrow();
        byte[] onnx = rewrite(OnnxExport.toBytes(c.model()), n -> n, t -> t.name().contains("attention_mask_half")
                ? TensorProto.ofFloats(t.name(), t.dims(), new float[] {0f}) : t, in -> in);
        String m = refused(onnx, Map.of());
        assertTrue(m.contains("'Greater' is not supported"), m);
    }

    @Test
    void theCausalTriangleMayComeFirstInTheAnd() throws Exception {
        Case c = cases().filter(Case::causal).findFirst().orElseThrow();
        Model model = c.model();
        byte[] onnx = rewrite(OnnxExport.toBytes(model), n -> n.opType().equals("And")
                ? new NodeProto(n.name(), n.opType(), n.domain(), n.inputs().reversed(), n.outputs(), n.attributes()) : n, t -> t, in -> in);
        assertSameMaskedAttention(c, model, OnnxImport.fromBytes(onnx, c.name(), Map.of()));
    }
}
