package dev.myelin.data;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.DataLoader.Batch;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The rows of in-memory tensors: slices (views) in order, {@code indexSelect} gathers in a given order. */
record TensorRows(List<Tensor> xs, List<Tensor> ys) implements Rows {
    TensorRows {
        xs = List.copyOf(xs);
        ys = List.copyOf(ys);
        if (xs.isEmpty()) throw new IllegalArgumentException("DataLoader: no input tensors");
        int n = -1;
        for (Tensor t : xs) {
            if (t.rank() == 0) throw new IllegalArgumentException("DataLoader: every input needs a sample axis; got a scalar");
            if (n < 0) n = t.dim(0);
            else if (t.dim(0) != n) throw new IllegalArgumentException("DataLoader: every input needs the same number of samples, got shapes " + xs.stream().map(Tensor::shape).toList());
        }
        for (Tensor t : ys) {
            if (t.rank() == 0 || t.dim(0) != n) {
                throw new IllegalArgumentException("DataLoader: the inputs have " + n + " samples but a target has " + (t.rank() == 0 ? "none (a scalar)" : t.dim(0) + " (shape " + t.shape() + ")"));
            }
        }
    }

    public int size() {
        return xs.get(0).dim(0);
    }

    public int inputs() {
        return xs.size();
    }

    public Batch batch(int[] order, int from, int to) {
        if (order == null) return new Batch(slices(xs, from, to), slices(ys, from, to));
        int[] idx = Arrays.copyOfRange(order, from, to);
        try (var g = NoGrad.scope()) {
            return new Batch(gather(xs, idx), gather(ys, idx));
        }
    }

    public Rows[] splitAt(int count) {
        return new Rows[] {new TensorRows(slices(xs, 0, count), slices(ys, 0, count)),
            new TensorRows(slices(xs, count, size()), slices(ys, count, size()))};
    }

    private static List<Tensor> slices(List<Tensor> ts, int from, int to) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(t.slice(0, from, to));
        return out;
    }

    private static List<Tensor> gather(List<Tensor> ts, int[] idx) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(t.indexSelect(0, idx));
        return out;
    }

    @Override
    public String toString() {
        return "tensors(x " + xs.stream().map(Tensor::shape).toList() + ", y " + ys.stream().map(Tensor::shape).toList() + ")";
    }
}
