package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TransformerEncoder and TransformerDecoder: the harness, the composition of their sublayers, masks, causality, errors. */
class TransformerBlocksTest {
    @Test
    void harness() {
        long mha = 4 * (4 * 4 + 4), ln = 8, ff = 4 * 6 + 6 + 6 * 4 + 4;
        LayerTestHarness.of(() -> new TransformerEncoder(6, 2)).inputShape(3, 4).expectOutputShape(3, 4).expectWeights(16, 0)
                .expectParams(mha + 2 * ln + ff).run();
        LayerTestHarness.of(() -> new TransformerEncoder(TransformerSettings.defaults(6, 2).withNormalizeFirst(true)
                .withActivation(Activation.GELU))).inputShape(3, 4).expectParams(mha + 2 * ln + ff).run();
        LayerTestHarness.of(() -> new TransformerDecoder(6, 2)).inputShape(3, 4).expectOutputShape(3, 4).expectWeights(16, 0)
                .expectParams(mha + 2 * ln + ff).run();
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1);
        return Tensor.of(v, shape);
    }

    private static void randomize(List<Parameter> weights, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        try (var s = NoGrad.scope()) {
            for (Parameter p : weights) p.value().assign(random(r, p.value().shape().toArray()).mul(0.5));
        }
    }

    /** The sublayer's weights of {@code block} whose names start with {@code prefix}, copied onto {@code target} in order. */
    private static void copy(dev.myelin.nn.Layer block, String prefix, List<Parameter> to) {
        List<Parameter> src = block.weights().stream().filter(p -> local(block, p).startsWith(prefix + "/")).toList();
        assertEquals(to.size(), src.size(), prefix);
        try (var s = NoGrad.scope()) {
            for (int i = 0; i < src.size(); i++) to.get(i).value().assign(src.get(i).value());
        }
    }

    /** A weight's name inside its block: {@code self_attention/query/kernel}. */
    private static String local(dev.myelin.nn.Layer block, Parameter p) {
        return p.name().substring(block.name().length() + 1);
    }

    /** keras-hub's encoder written with the public layers: post-norm LN(x + MHA(x, x)), LN(x + FF(x)); or pre-norm. */
    @Test
    void encoderIsKerasHubsComposition() {
        for (boolean preNorm : new boolean[] {false, true}) {
            TransformerEncoder enc = new TransformerEncoder(TransformerSettings.defaults(7, 2).withNormalizeFirst(preNorm));
            enc.dtype(DType.FLOAT64);
            enc.build(Shape.of(5, 6), new SplittableRandom(1));
            randomize(enc.weights(), 2);
            MultiHeadAttention mha = new MultiHeadAttention(2, 3);
            mha.dtype(DType.FLOAT64);
            mha.build(Shape.of(5, 6), new SplittableRandom(3));
            LayerNormalization ln1 = norm(), ln2 = norm();
            Dense d1 = dense(7, Activation.RELU, 6), d2 = dense(6, Activation.LINEAR, 7);
            copy(enc, "self_attention", mha.weights());
            copy(enc, "self_attention_layer_norm", ln1.weights());
            copy(enc, "feedforward_layer_norm", ln2.weights());
            copy(enc, "feedforward_intermediate_dense", d1.weights());
            copy(enc, "feedforward_output_dense", d2.weights());
            Tensor x = random(new SplittableRandom(4), 2, 5, 6);
            Tensor expected;
            if (preNorm) {
                Tensor n1 = ln1.call(x, false);
                Tensor h = x.add(mha.call(n1, n1, false));
                expected = h.add(d2.call(d1.call(ln2.call(h, false), false), false));
            } else {
                Tensor h = ln1.call(x.add(mha.call(x, x, false)), false);
                expected = ln2.call(h.add(d2.call(d1.call(h, false), false)), false);
            }
            TensorAssert.assertAllClose(enc.call(x, false).toDoubleArray(), expected.toDoubleArray(), 1e-12, 1e-12);
        }
    }

    private static LayerNormalization norm() {
        LayerNormalization n = new LayerNormalization().epsilon(1e-5);
        n.dtype(DType.FLOAT64);
        n.build(Shape.of(5, 6), new SplittableRandom(1));
        return n;
    }

    private static Dense dense(int units, Activation a, int in) {
        Dense d = new Dense(units, a);
        d.dtype(DType.FLOAT64);
        d.build(Shape.of(5, in), new SplittableRandom(1));
        return d;
    }

    @Test
    void encoderMasksPaddedSteps() {
        TransformerEncoder enc = new TransformerEncoder(8, 2);
        enc.build(Shape.of(4, 4), new SplittableRandom(1));
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = random(r, 1, 4, 4).to(DType.FLOAT32);
        Tensor mask = Tensor.of(new double[] {1, 1, 1, 0}, 1, 4);
        double[] y = enc.call(Masks.attach(x, mask), false).toDoubleArray();
        double[] changed = x.toDoubleArray();
        for (int i = 12; i < 16; i++) changed[i] += 5;
        Tensor x2 = Masks.attach(Tensor.of(changed, 1, 4, 4).to(DType.FLOAT32), mask);
        Tensor y2 = enc.call(x2, false);
        assertArrayEquals(Arrays.copyOf(y, 12), Arrays.copyOf(y2.toDoubleArray(), 12), "unpadded steps ignore the padded one");
        assertEquals(mask, Masks.of(y2), "the output carries the mask");
        assertFalse(Arrays.equals(y, enc.call(x2.detach(), false).toDoubleArray()), "without the mask the padded step is attended to");
    }

    @Test
    void decoderIsCausal() {
        TransformerDecoder dec = new TransformerDecoder(8, 2);
        dec.build(Shape.of(5, 4), new SplittableRandom(1));
        Tensor x = random(new SplittableRandom(2), 1, 5, 4).to(DType.FLOAT32);
        double[] y = dec.call(x, false).toDoubleArray();
        double[] changed = x.toDoubleArray();
        for (int i = 12; i < 20; i++) changed[i] += 1; // steps 3 and 4
        double[] y2 = dec.call(Tensor.of(changed, 1, 5, 4).to(DType.FLOAT32), false).toDoubleArray();
        assertArrayEquals(Arrays.copyOf(y, 12), Arrays.copyOf(y2, 12), "steps 0..2 do not see steps 3 and 4");
        assertFalse(Arrays.equals(Arrays.copyOfRange(y, 12, 20), Arrays.copyOfRange(y2, 12, 20)));
    }

    @Test
    void decoderWithCrossAttentionInAModelRoundTripsThroughAFile(@TempDir Path folder) throws IOException {
        SymbolicTensor target = Input.named("target", 4, 6);
        SymbolicTensor source = Input.named("source", 7, 8);
        SymbolicTensor encoded = new TransformerEncoder(16, 2).apply(source);
        SymbolicTensor out = new TransformerDecoder(TransformerSettings.defaults(12, 3).withNormalizeFirst(true)).name("dec").apply(target, encoded);
        Model model = new Model(List.of(target, source), List.of(out));
        model.build();
        TransformerDecoder dec = (TransformerDecoder) model.layer("dec");
        assertTrue(dec.hasCrossAttention());
        List<String> names = dec.weights().stream().map(p -> local(dec, p).replaceAll("/[^/]*$", "")).distinct().toList();
        assertEquals(List.of("self_attention", "self_attention_layer_norm", "cross_attention", "cross_attention_layer_norm",
                "feedforward_intermediate_dense", "feedforward_output_dense", "feedforward_layer_norm"),
                names.stream().map(n -> n.replaceAll("/(query|key|value|attention_output)$", "")).distinct().toList());
        assertEquals(Shape.of(8, 3, 2), dec.weights().stream().filter(p -> local(dec, p).equals("cross_attention/key/kernel")).findFirst()
                .orElseThrow().value().shape(), "cross-attention keys from the encoder's width");
        SplittableRandom r = new SplittableRandom(5);
        Tensor t = random(r, 2, 4, 6).to(DType.FLOAT32), s = random(r, 2, 7, 8).to(DType.FLOAT32);
        double[] before = model.call(List.of(t, s), false).get(0).toDoubleArray();
        Path file = folder.resolve("seq2seq.myelin");
        model.save(file);
        assertArrayEquals(before, Model.load(file).call(List.of(t, s), false).get(0).toDoubleArray());
        // positional tensors, as keras-hub writes decoder(target, encoded): [target, encoded], not [[target, encoded]]
        String json = model.toJson().replaceAll("\\s", "");
        String saved = json.substring(json.indexOf("\"name\":\"dec\""));
        assertTrue(saved.contains("\"args\":[{\"class_name\":\"__keras_tensor__\",\"config\":{\"shape\":[null,4,6],\"dtype\":\"float32\","
                + "\"keras_history\":[\"target\",0,0]}},{\"class_name\":\"__keras_tensor__\""), saved);
    }

    @Test
    void aDecoderOnlyCallIsSavedWithItsTensorPositionallyAndLoadsBack(@TempDir Path folder) throws IOException {
        SymbolicTensor tokens = Input.named("tokens", 5, 8);
        Model model = new Model(tokens, new TransformerDecoder(16, 2).name("dec").apply(tokens));
        model.build();
        String json = model.toJson().replaceAll("\\s", "");
        assertTrue(json.contains("\"args\":[{\"class_name\":\"__keras_tensor__\",\"config\":{\"shape\":[null,5,8],\"dtype\":\"float32\","
                + "\"keras_history\":[\"tokens\",0,0]}}]"), json);
        Tensor x = random(new SplittableRandom(3), 2, 5, 8).to(DType.FLOAT32);
        Path file = folder.resolve("gpt-block.myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertArrayEquals(model.call(List.of(x), false).get(0).toDoubleArray(), loaded.call(List.of(x), false).get(0).toDoubleArray());
        assertEquals(json, loaded.toJson().replaceAll("\\s", ""), "the loaded model writes the same config");
    }

    @Test
    void badInputIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(8, 3).outputShape(Shape.of(5, 8)));
        assertTrue(e.getMessage().contains("num_heads=3") && e.getMessage().contains("[5, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerDecoder(8, 3).outputShape(Shape.of(5, 8)));
        assertTrue(e.getMessage().contains("num_heads=3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(8, 2).outputShape(Shape.of(8)));
        assertTrue(e.getMessage().contains("[time, width]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(0, 2));
        assertTrue(e.getMessage().contains("intermediate_dim=0"), e.getMessage());
        TransformerDecoder dec = new TransformerDecoder(8, 2);
        dec.build(Shape.of(3, 4), new SplittableRandom(1));
        e = assertThrows(IllegalArgumentException.class, () -> dec.call(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 2, 4), false));
        assertTrue(e.getMessage().contains("decoder-only"), e.getMessage());
        TransformerEncoder enc = new TransformerEncoder(8, 2);
        enc.build(Shape.of(3, 4), new SplittableRandom(1));
        e = assertThrows(IllegalArgumentException.class, () -> enc.call(Tensor.zeros(1, 3, 5), false));
        assertTrue(e.getMessage().contains("[batch, 3, 4]"), e.getMessage());
    }
}
