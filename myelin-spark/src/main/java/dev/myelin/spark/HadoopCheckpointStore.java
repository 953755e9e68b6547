package dev.myelin.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints on any Hadoop file system (HDFS, S3A, ABFS, GCS, {@code file://}), through Hadoop's
 * {@code FileSystem} API with the driver's Hadoop configuration (credentials and {@code spark.hadoop.*}
 * settings included, as Spark's own file sources use it).
 *
 * <p>One file per checkpoint, named by its step ({@code myelin-spark-checkpoint-000000000300.bin}), written to a
 * temporary name in the same folder and renamed to its final, new name; the older ones are deleted after. Readers
 * take the highest step, so they see a whole checkpoint or the previous one:
 * <ul>
 *   <li>HDFS (and ABFS with hierarchical namespaces): rename is one atomic metadata operation.</li>
 *   <li>S3 (S3A): there is no atomic rename; S3A copies the object and deletes the temporary one. The new
 *   object still appears whole or not at all (an upload is visible only once complete), so a reader never sees
 *   half a checkpoint; a crash between copy and delete leaves a temporary object, which readers ignore and
 *   {@link #delete} removes. The copy costs time in proportion to the model's size.</li>
 * </ul>
 * Hadoop's {@code FileSystem} instances are cached per scheme, authority and user, so an executor opens one.
 */
final class HadoopCheckpointStore implements CheckpointStore {
    private static final String PREFIX = "myelin-spark-checkpoint-", SUFFIX = ".bin";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)" + Pattern.quote(SUFFIX));

    private final String dir;
    private final byte[] conf; // Configuration is Writable, not Serializable: it travels as its written bytes
    private transient FileSystem fs;

    HadoopCheckpointStore(String dir, Configuration conf) throws IOException {
        this.dir = dir;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            conf.write(out);
        }
        this.conf = bytes.toByteArray();
        fs(); // a scheme with no file system (a typo, a missing connector jar) fails on the driver, before the stage
    }

    private FileSystem fs() throws IOException {
        if (fs == null) {
            Configuration c = new Configuration(false);
            c.readFields(new DataInputStream(new ByteArrayInputStream(conf)));
            fs = new Path(dir).getFileSystem(c);
        }
        return fs;
    }

    /** The step of a checkpoint file's name, or -1 for any other file. */
    private static long step(Path file) {
        Matcher m = NAME.matcher(file.getName());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private FileStatus[] list() throws IOException {
        Path folder = new Path(dir);
        return fs().exists(folder) ? fs().listStatus(folder) : new FileStatus[0];
    }

    @Override
    public Optional<byte[]> readLatest() throws IOException {
        FileStatus newest = null;
        for (FileStatus f : list()) if (step(f.getPath()) >= 0 && (newest == null || step(f.getPath()) > step(newest.getPath()))) newest = f;
        if (newest == null) return Optional.empty();
        byte[] bytes = new byte[Math.toIntExact(newest.getLen())];
        try (FSDataInputStream in = fs().open(newest.getPath())) {
            in.readFully(bytes);
        }
        return Optional.of(bytes);
    }

    @Override
    public void write(long step, byte[] bytes) throws IOException {
        String name = PREFIX + String.format(java.util.Locale.ROOT, "%012d", step) + SUFFIX;
        Path target = new Path(dir, name), tmp = new Path(dir, "_" + name + ".tmp");
        try (FSDataOutputStream out = fs().create(tmp, true)) {
            out.write(bytes);
        }
        fs().delete(target, false); // the same step written again (a rerun that did not resume): rename never overwrites
        if (!fs().rename(tmp, target)) throw new IOException("could not rename the checkpoint " + tmp + " to " + target);
        for (FileStatus f : list()) if (step(f.getPath()) >= 0 && step(f.getPath()) < step) fs().delete(f.getPath(), false);
    }

    @Override
    public void delete() throws IOException {
        for (FileStatus f : list()) {
            String n = f.getPath().getName();
            if (step(f.getPath()) >= 0 || (n.startsWith("_" + PREFIX) && n.endsWith(".tmp"))) fs().delete(f.getPath(), false);
        }
    }

    @Override
    public String location() {
        return dir;
    }
}
