package dev.myelin.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where {@link SparkTrainer}'s workers resume after Spark reruns a failed barrier stage: the model file
 * ({@code Model.save}: weights, compile settings and optimizer state) after {@code step} global steps, the
 * losses of the epochs finished by then, the running loss sum of the current epoch, and which run it belongs to
 * ({@code run}: the starting model's hash and the settings that decide the steps, so a checkpoint of another run
 * is never resumed by mistake).
 *
 * <p>Worker 0 writes it to a {@link CheckpointStore} (a local folder, or HDFS, S3A and any Hadoop file system)
 * so that a reader sees the previous checkpoint or this one, never half of one; the directory must be one every
 * executor can read (a local folder in local mode, a shared mount or a distributed file system on a cluster).
 *
 * @param stepsPerEpoch the steps per epoch the run took (it depends on the partitions: a resumed run must agree)
 * @param losses the mean loss of each epoch, {@code 0} for those not finished
 */
record Checkpoint(String run, long step, int stepsPerEpoch, double[] losses, double lossSum, byte[] model) {
    static final String FILE = "myelin-spark-checkpoint.bin";
    private static final int MAGIC = 0x4D594350; // "MYCP"

    /** Writes this checkpoint to the local folder {@code dir}, replacing the previous one in one atomic move. */
    void write(Path dir) throws IOException {
        write(new LocalCheckpointStore(dir.toString()));
    }

    /** Writes this checkpoint to {@code store} (whole or not at all; see the store). */
    void write(CheckpointStore store) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(model.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(run);
            out.writeLong(step);
            out.writeInt(stepsPerEpoch);
            out.writeInt(losses.length);
            for (double l : losses) out.writeDouble(l);
            out.writeDouble(lossSum);
            out.writeInt(model.length);
            out.write(model);
        }
        store.write(step, bytes.toByteArray());
    }

    /** The checkpoint in the local folder {@code dir}; see {@link #read(CheckpointStore, String)}. */
    static Optional<Checkpoint> read(Path dir, String run) throws IOException {
        return read(new LocalCheckpointStore(dir.toString()), run);
    }

    /**
     * The newest checkpoint in {@code store}, or empty when there is none; one written by another run than
     * {@code run} is an error naming where it is (delete it or choose another directory).
     */
    static Optional<Checkpoint> read(CheckpointStore store, String run) throws IOException {
        Optional<byte[]> found = store.readLatest();
        if (found.isEmpty()) return Optional.empty();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(found.get()))) {
            if (in.readInt() != MAGIC) throw new IOException(store.location() + " is not a Myelin Spark checkpoint");
            String theirs = in.readUTF();
            if (!theirs.equals(run)) {
                throw new IllegalStateException(store.location() + " is the checkpoint of another training run (another model or other settings):"
                        + " delete it or give this run another checkpoint directory");
            }
            long step = in.readLong();
            int stepsPerEpoch = in.readInt();
            double[] losses = new double[in.readInt()];
            for (int i = 0; i < losses.length; i++) losses[i] = in.readDouble();
            double lossSum = in.readDouble();
            byte[] model = new byte[in.readInt()];
            in.readFully(model);
            return Optional.of(new Checkpoint(run, step, stepsPerEpoch, losses, lossSum, model));
        }
    }
}
