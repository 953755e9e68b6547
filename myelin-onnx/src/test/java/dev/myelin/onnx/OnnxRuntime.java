package dev.myelin.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.myelin.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs ONNX files in ONNX Runtime (a test dependency); skips the calling test, saying why, when its native library cannot load. */
final class OnnxRuntime {
    private OnnxRuntime() {}

    private static OrtEnvironment env;
    private static String unavailable;

    static synchronized OrtEnvironment environment() {
        if (env == null && unavailable == null) {
            try {
                env = OrtEnvironment.getEnvironment();
            } catch (Throwable e) { // UnsatisfiedLinkError or an ExceptionInInitializerError around it
                unavailable = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        assumeTrue(env != null, "skipped: ONNX Runtime cannot load its native library here (" + unavailable + ")");
        return env;
    }

    /** The outputs of the model in {@code onnx} for {@code inputs} (in the graph's input order). */
    static List<Tensor> run(byte[] onnx, List<Tensor> inputs) throws OrtException {
        return run(onnx, inputs, java.util.Set.of());
    }

    /** As {@link #run(byte[], List)}, the inputs named in {@code bools} fed as ONNX bool tensors (true where the value is above 0.5). */
    static List<Tensor> run(byte[] onnx, List<Tensor> inputs, java.util.Set<String> bools) throws OrtException {
        OrtEnvironment e = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = e.createSession(onnx, options)) {
                List<String> names = List.copyOf(session.getInputNames());
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    for (int i = 0; i < names.size(); i++) {
                        Tensor x = inputs.get(i);
                        long[] dims = Arrays.stream(x.shape().toArray()).asLongStream().toArray();
                        if (bools.contains(names.get(i))) {
                            float[] v = x.toFloatArray();
                            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(v.length);
                            for (float f : v) b.put((byte) (f > 0.5f ? 1 : 0));
                            feed.put(names.get(i), OnnxTensor.createTensor(e, b.flip(), dims, ai.onnxruntime.OnnxJavaType.BOOL));
                        } else {
                            feed.put(names.get(i), OnnxTensor.createTensor(e, FloatBuffer.wrap(x.toFloatArray()), dims));
                        }
                    }
                    try (OrtSession.Result result = session.run(feed)) {
                        List<Tensor> out = new java.util.ArrayList<>();
                        for (int i = 0; i < result.size(); i++) {
                            OnnxTensor t = (OnnxTensor) result.get(i);
                            int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
                            FloatBuffer fb = t.getFloatBuffer();
                            float[] data = new float[fb.remaining()];
                            fb.get(data);
                            out.add(Tensor.of(data, shape));
                        }
                        return out;
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    /** The largest absolute difference between two tensors of the same shape. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) throw new AssertionError("shapes differ: " + a.shape() + " vs " + b.shape());
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i]) != Float.isNaN(y[i])) return Double.POSITIVE_INFINITY;
            m = Math.max(m, Math.abs((double) x[i] - y[i]));
        }
        return m;
    }
}
