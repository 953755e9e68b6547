package dev.myelin.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where {@link Checkpoint}s live: a local folder ({@link LocalCheckpointStore}) or any Hadoop file system
 * ({@link HadoopCheckpointStore}: HDFS, S3A, ABFS, {@code file://}, ...). Serializable: the barrier tasks carry it
 * to the executors, where worker 0 writes and every worker reads.
 */
interface CheckpointStore extends Serializable {
    /** A URI scheme of two letters or more ({@code hdfs:}, {@code s3a:}, {@code file:}), so a Windows drive ({@code C:}) stays a local path. */
    Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");

    /**
     * The store for {@code dir}: a URI with a scheme goes through Hadoop's {@code FileSystem} with the
     * configuration {@code hadoopConf} gives (called only then, on the driver), anything else is a local folder.
     */
    static CheckpointStore of(String dir, Supplier<org.apache.hadoop.conf.Configuration> hadoopConf) throws IOException {
        return SCHEME.matcher(dir).matches() ? new HadoopCheckpointStore(dir, hadoopConf.get()) : new LocalCheckpointStore(dir);
    }

    /** The newest checkpoint's bytes, or empty when there is none. */
    Optional<byte[]> readLatest() throws IOException;

    /** Stores the checkpoint of global step {@code step} so that a reader sees it whole or not at all, and drops older ones. */
    void write(long step, byte[] bytes) throws IOException;

    /** Removes every checkpoint (and leftover temporary file) of this store. */
    void delete() throws IOException;

    /** The folder or URI, for messages. */
    String location();
}
