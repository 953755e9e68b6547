package dev.myelin.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Checkpoints in a local folder (a shared mount on a cluster): one file, {@link Checkpoint#FILE}, replaced by
 * writing a temporary file in the same folder and moving it over the old one in one atomic rename.
 */
record LocalCheckpointStore(String dir) implements CheckpointStore {
    @Override
    public Optional<byte[]> readLatest() throws IOException {
        try {
            return Optional.of(Files.readAllBytes(Path.of(dir, Checkpoint.FILE)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void write(long step, byte[] bytes) throws IOException {
        Path folder = Files.createDirectories(Path.of(dir));
        Path tmp = Files.createTempFile(folder, Checkpoint.FILE, ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, folder.resolve(Checkpoint.FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void delete() throws IOException {
        Files.deleteIfExists(Path.of(dir, Checkpoint.FILE));
    }

    @Override
    public String location() {
        return Path.of(dir, Checkpoint.FILE).toString();
    }
}
