package dev.myelin.spark;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's predictions, in batches: rows are read {@code batchSize} at a time, converted to one input
 * tensor, predicted, and returned with the prediction columns appended. Serializable, as Spark ships it to the
 * executors; the model travels as the broadcast's bytes.
 */
final class PartitionPredictor implements MapPartitionsFunction<Row, Row> {
    private final Broadcast<byte[]> model;
    private final String modelName;
    private final RowInputs inputs;
    private final int batchSize, topK;

    PartitionPredictor(Broadcast<byte[]> model, String modelName, RowInputs inputs, int batchSize, int topK) {
        this.model = model;
        this.modelName = modelName;
        this.inputs = inputs;
        this.batchSize = batchSize;
        this.topK = topK;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Model m = ExecutorModels.get(model.value(), modelName);
        int[] shape = m.inputs().getFirst().shape().toArray();
        int perExample = 1;
        for (int d : shape) perExample *= d;
        int values = perExample;
        return new Iterator<>() {
            private final List<Row> ready = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < ready.size()) return true;
                ready.clear();
                next = 0;
                List<Row> batch = new ArrayList<>();
                while (batch.size() < batchSize && rows.hasNext()) batch.add(rows.next());
                if (batch.isEmpty()) return false;
                ready.addAll(predict(m, shape, values, batch));
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.get(next++);
            }
        };
    }

    private List<Row> predict(Model m, int[] shape, int values, List<Row> batch) {
        float[] x = new float[batch.size() * values];
        for (int i = 0; i < batch.size(); i++) inputs.read(batch.get(i), shape, values, x, i * values);
        int[] dims = new int[shape.length + 1];
        dims[0] = batch.size();
        System.arraycopy(shape, 0, dims, 1, shape.length);
        float[] p;
        synchronized (m) {
            try (var g = NoGrad.scope()) {
                p = m.predict(Tensor.of(x, dims), batch.size()).toFloatArray();
            }
        }
        int classes = p.length / batch.size();
        List<Row> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            float[] probs = java.util.Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
            Row in = batch.get(i);
            Object[] cells = new Object[in.length() + (topK > 0 ? 3 : 2)];
            for (int c = 0; c < in.length(); c++) cells[c] = in.get(c);
            int[] order = ranking(probs);
            cells[in.length()] = classes == 1 ? (probs[0] >= 0.5f ? 1 : 0) : order[0];
            cells[in.length() + 1] = probs;
            if (topK > 0) cells[in.length() + 2] = java.util.Arrays.copyOf(order, Math.min(topK, classes));
            out.add(RowFactory.create(cells));
        }
        return out;
    }

    /** Class indices by decreasing output (ties: the smaller index first). */
    private static int[] ranking(float[] probs) {
        Integer[] idx = new Integer[probs.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = idx[i];
        return out;
    }
}
