package dev.myelin.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the data that ship with the repository, wherever {@code myelin} is started from. */
final class DataLocations {
    static final String FASHION_SUBSET = "data/fashion-mnist-subset";
    static final Path FASHION_DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    private DataLocations() {}

    /** The bundled Fashion-MNIST subset: under $MYELIN_HOME, the repository that holds the jar, or the working folder. */
    static Path bundledFashionMnist() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("MYELIN_HOME");
        if (home != null) candidates.add(Path.of(home, FASHION_SUBSET));
        try {
            Path jar = Path.of(DataLocations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // <repo>/myelin-cli/target/myelin-cli.jar or <repo>/myelin-cli/target/classes
            Path repo = jar.getParent() == null ? null : jar.getParent().getParent();
            if (repo != null && repo.getParent() != null) candidates.add(repo.getParent().resolve(FASHION_SUBSET));
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the working folder
        }
        candidates.add(Path.of(FASHION_SUBSET));
        for (Path p : candidates) if (Files.isDirectory(p)) return p;
        throw new IllegalStateException("the bundled Fashion-MNIST subset was not found (looked in " + candidates
                + "); run from the repository or set MYELIN_HOME to it");
    }
}
