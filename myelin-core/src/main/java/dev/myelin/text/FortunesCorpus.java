package dev.myelin.text;

import dev.myelin.io.TextFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Quotations by category from the {@code fortune} program's files, as Debian's {@code fortunes} and
 * {@code fortunes-min} packages install them in {@code /usr/share/games/fortunes}: one file per category
 * (its name), entries separated by a line holding only {@code %}.
 *
 * <p>Which files count: the regular files directly in the folder, except the {@code strfile} indexes
 * ({@code .dat}), the {@code .u8} links Debian adds beside each file, hidden files, any file named in
 * {@link #exclude}, and every subfolder (so the {@code off/} folder of offensive fortunes is never read).
 *
 * <p>Parsing: a separator is a line that is {@code %} once trailing white space (a {@code \r} included) is
 * removed; a line such as {@code %DCL-MEM-BAD} is text. Each line loses its trailing white space, each entry
 * its leading and trailing blank lines, and keeps its inner line breaks ({@code \n}) and indentation (the
 * attribution lines {@code "\t\t-- Mark Twain"}). Entries with no text are dropped. Files must be UTF-8: a
 * file that is not is refused naming the file, the byte and its line (Debian's are; nothing is replaced).
 *
 * <p>Labels are the category's index in {@link #categories} (alphabetical when none were chosen).
 * {@link TextSplit#stratified} splits the result into train, validation and test sets.
 *
 * <p>Example:
 * <pre>{@code
 * LabelledTexts all = new FortunesCorpus(FortunesCorpus.DEBIAN_FOLDER)
 *         .categories(FortunesCorpus.ISSUE_CATEGORIES).lengthRange(20, 1_000).load();
 * TextSplit split = TextSplit.stratified(all, 0.1, 0.2, 42);
 * }</pre>
 */
public final class FortunesCorpus {
    /** Where Debian's {@code fortunes} packages install their files. */
    public static final Path DEBIAN_FOLDER = Path.of("/usr/share/games/fortunes");
    /** The ten categories issue 12's classification task names; all are in Debian's {@code fortunes} package. */
    public static final List<String> ISSUE_CATEGORIES = List.of("art", "computers", "food", "law", "literature", "love", "medicine", "politics", "science", "sports");
    /** The largest file read (Debian's largest is under 1 MB). */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private final Path folder;
    private List<String> categories;
    private Set<String> excluded = Set.of();
    private int minLength = 1;
    private int maxLength = Integer.MAX_VALUE;

    public FortunesCorpus(Path folder) {
        this.folder = folder;
    }

    /** Reads only these categories (file names), labelled in this order. */
    public FortunesCorpus categories(List<String> names) {
        if (names.isEmpty()) throw new IllegalArgumentException("choose at least one category");
        if (new TreeSet<>(names).size() != names.size()) throw new IllegalArgumentException("categories repeat a name: " + names);
        this.categories = List.copyOf(names);
        return this;
    }

    /** File names never read, even when listed in {@link #categories}. */
    public FortunesCorpus exclude(Collection<String> names) {
        this.excluded = Set.copyOf(names);
        return this;
    }

    /** Keeps entries of {@code min..max} characters (code points, after the trimming described above). */
    public FortunesCorpus lengthRange(int min, int max) {
        if (min < 1 || max < min) throw new IllegalArgumentException("lengthRange needs 1 <= min <= max, got " + min + ", " + max);
        this.minLength = min;
        this.maxLength = max;
        return this;
    }

    /** The category files in the folder, alphabetical, after the exclusions above. */
    public List<String> availableCategories() throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("fortunes folder " + folder + " does not exist or is not a folder (on Debian: apt-get install fortunes fortunes-min)");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(".dat") || name.endsWith(".u8") || excluded.contains(name)) continue;
                if (Files.isRegularFile(p)) names.add(name);
            }
        }
        return names;
    }

    /**
     * The entries of the chosen categories (all available ones when none were chosen), labelled by category.
     *
     * @throws IOException naming the folder when it is missing, the category when its file is missing (with
     *     the ones that exist), the file when it is not UTF-8 or too large
     */
    public LabelledTexts load() throws IOException {
        List<String> available = availableCategories();
        List<String> names = categories == null ? available : categories;
        for (String name : names) {
            if (!available.contains(name)) {
                throw new IOException("fortunes folder " + folder + " has no category '" + name + "'" + (excluded.contains(name) ? " (it is excluded)" : "")
                        + "; it has " + available);
            }
        }
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            for (String entry : read(folder.resolve(names.get(c)))) {
                int length = entry.codePointCount(0, entry.length());
                if (length < minLength || length > maxLength) continue;
                texts.add(entry);
                labels.add(c);
            }
        }
        return new LabelledTexts(texts, labels.stream().mapToInt(Integer::intValue).toArray(), names);
    }

    /** The entries of one fortune file. */
    public static List<String> read(Path file) throws IOException {
        return parse(TextFiles.readUtf8(file, MAX_FILE_BYTES));
    }

    /** The entries of a fortune file's text (see the class comment for the rules). */
    public static List<String> parse(String text) {
        List<String> entries = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.stripTrailing();
            if (trimmed.equals("%")) {
                addEntry(lines, entries);
                lines.clear();
            } else {
                lines.add(trimmed);
            }
        }
        addEntry(lines, entries);
        return entries;
    }

    private static void addEntry(List<String> lines, List<String> entries) {
        int start = 0, end = lines.size();
        while (start < end && lines.get(start).isEmpty()) start++;
        while (end > start && lines.get(end - 1).isEmpty()) end--;
        if (start < end) entries.add(String.join("\n", lines.subList(start, end)));
    }
}
