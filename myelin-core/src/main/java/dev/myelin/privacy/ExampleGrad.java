package dev.myelin.privacy;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One weight's gradients for each example of a batch, in one of two forms: {@link Dense} holds
 * {@code [batch, ...weight shape]}; {@link Rows} holds only the rows of a {@code [rows, cols]} table that
 * an example touched (an embedding), which is what keeps a large vocabulary from costing
 * {@code batch · rows · cols} values. Both give the two things DP-SGD needs: each example's squared norm
 * and the weighted sum {@code Σᵢ wᵢ gᵢ}.
 */
sealed interface ExampleGrad {
    /** {@code ‖gᵢ‖²} for each example, {@code [batch]}. */
    Tensor squaredNorms(int batch);

    /** {@code Σᵢ wᵢ gᵢ} for weights {@code w [batch]}, the weight's shape. */
    Tensor weightedSum(Tensor w);

    /** The gradients as {@code [batch, ...weight shape]}. */
    Tensor dense(int batch);

    /** The per-example sum of this and {@code other} (a layer called twice). */
    ExampleGrad plus(ExampleGrad other, int batch);

    /** {@code values [batch, ...shape]}. */
    record Dense(Tensor values) implements ExampleGrad {
        public Tensor squaredNorms(int batch) {
            return values.reshape(batch, values.size() / Math.max(1, batch)).square().sum(new int[] {1}, false);
        }

        public Tensor weightedSum(Tensor w) {
            int batch = values.dim(0);
            int[] shape = Arrays.copyOfRange(values.shape().toArray(), 1, values.rank());
            // one [1, batch] · [batch, size] product
            return w.to(values.dtype()).reshape(1, batch).matmul(values.reshape(batch, values.size() / Math.max(1, batch))).reshape(shape);
        }

        public Tensor dense(int batch) {
            return values;
        }

        public ExampleGrad plus(ExampleGrad other, int batch) {
            return new Dense(values.add(other.dense(batch)));
        }
    }

    /**
     * Row {@code row[r]} of example {@code example[r]}'s gradient is {@code values[r]} ({@code [r, cols]}); every
     * (example, row) pair appears once, and rows not listed are zero. {@code table} is the weight's shape.
     */
    record Rows(Tensor values, int[] example, int[] row, Shape table) implements ExampleGrad {
        /**
         * Sums {@code values} ({@code [n, cols]}) that share an (example, row) pair: the form of
         * {@code out[b, ids[b, t]] += dy[b, t]} with {@code n = batch · time} entries.
         */
        static Rows of(Tensor values, int[] example, int[] row, Shape table) {
            Map<Long, Integer> slot = new HashMap<>();
            int[] target = new int[example.length];
            int[] exampleOut = new int[example.length];
            int[] rowOut = new int[example.length];
            for (int i = 0; i < example.length; i++) {
                long key = (long) example[i] * table.dim(0) + row[i];
                Integer s = slot.get(key);
                if (s == null) {
                    s = slot.size();
                    slot.put(key, s);
                    exampleOut[s] = example[i];
                    rowOut[s] = row[i];
                }
                target[i] = s;
            }
            int n = slot.size();
            Tensor summed = Tensor.zeros(values.dtype(), Shape.of(n, values.dim(1))).indexAdd(0, target, values);
            return new Rows(summed, Arrays.copyOf(exampleOut, n), Arrays.copyOf(rowOut, n), table);
        }

        public Tensor squaredNorms(int batch) {
            Tensor perRow = values.square().sum(new int[] {1}, false);
            return Tensor.zeros(values.dtype(), Shape.of(batch)).indexAdd(0, example, perRow);
        }

        public Tensor weightedSum(Tensor w) {
            Tensor scaled = values.mul(w.to(values.dtype()).indexSelect(0, example).unsqueeze(1));
            return Tensor.zeros(values.dtype(), table).indexAdd(0, row, scaled);
        }

        public Tensor dense(int batch) {
            int[] flat = new int[row.length];
            for (int r = 0; r < row.length; r++) flat[r] = example[r] * table.dim(0) + row[r];
            return Tensor.zeros(values.dtype(), Shape.of(batch * table.dim(0), table.dim(1))).indexAdd(0, flat, values)
                    .reshape(batch, table.dim(0), table.dim(1));
        }

        public ExampleGrad plus(ExampleGrad other, int batch) {
            if (!(other instanceof Rows o)) return new Dense(dense(batch).add(other.dense(batch)));
            int n = row.length, m = o.row.length;
            int[] ex = Arrays.copyOf(example, n + m), rw = Arrays.copyOf(row, n + m);
            System.arraycopy(o.example, 0, ex, n, m);
            System.arraycopy(o.row, 0, rw, n, m);
            return of(Tensor.concat(java.util.List.of(values, o.values), 0), ex, rw, table);
        }
    }
}
