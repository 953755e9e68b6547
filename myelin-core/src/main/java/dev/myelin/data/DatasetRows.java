package dev.myelin.data;

import dev.myelin.data.DataLoader.Batch;
import dev.myelin.tensor.Tensor;
import java.util.List;

/** The rows of a {@link Dataset}, copied into each batch from its float arrays. */
record DatasetRows(Dataset data) implements Rows {
    public int size() {
        return data.size();
    }

    public int inputs() {
        return 1;
    }

    public Batch batch(int[] order, int from, int to) {
        int m = to - from;
        float[] bx = new float[m * data.xRowLength()];
        float[] by = new float[m * data.yRowLength()];
        if (order == null) {
            System.arraycopy(data.xData(), from * data.xRowLength(), bx, 0, bx.length);
            System.arraycopy(data.yData(), from * data.yRowLength(), by, 0, by.length);
        } else {
            Dataset.gatherRows(data.xData(), data.xRowLength(), order, from, to, bx);
            Dataset.gatherRows(data.yData(), data.yRowLength(), order, from, to, by);
        }
        return new Batch(List.of(Tensor.of(bx, Dataset.withFirst(data.xShapeArray(), m))),
                List.of(Tensor.of(by, Dataset.withFirst(data.yShapeArray(), m))));
    }

    public Rows[] splitAt(int count) {
        Dataset.Split parts = data.splitAt(count);
        return new Rows[] {new DatasetRows(parts.train()), new DatasetRows(parts.validation())};
    }

    @Override
    public String toString() {
        return data.toString();
    }
}
