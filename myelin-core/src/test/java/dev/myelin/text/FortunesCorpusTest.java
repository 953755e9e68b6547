package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fortune-file parser on a committed fixture folder, and Debian's real folder when it is installed. */
class FortunesCorpusTest {
    private static final Path FIXTURE = Path.of("src/test/resources/dev/myelin/text/fortunes");

    @Test
    void parsesEntriesSeparatorsAndWhiteSpace() throws IOException {
        assertEquals(List.of(
                "First entry,\n\tsecond line.\n\t\t-- Someone", // indentation kept, trailing spaces gone
                "Padded entry",                                  // blank lines around it gone; empty entries dropped
                "%DCL-MEM-BAD, bad memory\nVMS is a text line here", // "%  " separates, "%DCL..." is text
                "CRLF entry",                                    // "%\r" separates, "\r" trimmed
                "short"), FortunesCorpus.read(FIXTURE.resolve("alpha")));
        assertEquals(List.of("a", "b"), FortunesCorpus.parse("a\n%\nb"));
        assertEquals(List.of(), FortunesCorpus.parse(""));
        assertEquals(List.of(), FortunesCorpus.parse("%\n%\n \n%"));
    }

    @Test
    void skipsIndexesLinksHiddenFilesAndSubfolders() throws IOException {
        FortunesCorpus corpus = new FortunesCorpus(FIXTURE);
        assertEquals(List.of("alpha", "beta"), corpus.availableCategories());
        LabelledTexts all = corpus.load();
        assertEquals(List.of("alpha", "beta"), all.classNames());
        assertEquals(7, all.size());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1}, all.labels());
        assertEquals(List.of("beta"), new FortunesCorpus(FIXTURE).exclude(List.of("alpha")).availableCategories());
    }

    @Test
    void chosenCategoriesSetTheLabelsAndLengthsFilter() throws IOException {
        LabelledTexts t = new FortunesCorpus(FIXTURE).categories(List.of("beta", "alpha")).lengthRange(6, 20).load();
        assertEquals(List.of("beta", "alpha"), t.classNames());
        assertEquals(List.of("Beta one", "Beta two", "Padded entry", "CRLF entry"), t.texts()); // "short" is 5, the others over 20
        assertArrayEquals(new int[] {0, 0, 1, 1}, t.labels());
    }

    @Test
    void badRequestsSayWhatIsWrong(@TempDir Path dir) throws IOException {
        var missing = assertThrows(IOException.class, () -> new FortunesCorpus(FIXTURE).categories(List.of("alpha", "gamma")).load());
        assertTrue(missing.getMessage().contains("no category 'gamma'") && missing.getMessage().contains("[alpha, beta]"), missing.getMessage());
        var excluded = assertThrows(IOException.class, () -> new FortunesCorpus(FIXTURE).categories(List.of("alpha")).exclude(List.of("alpha")).load());
        assertTrue(excluded.getMessage().contains("excluded"), excluded.getMessage());
        var noFolder = assertThrows(IOException.class, () -> new FortunesCorpus(dir.resolve("nope")).load());
        assertTrue(noFolder.getMessage().contains("apt-get install fortunes"), noFolder.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FortunesCorpus(dir).lengthRange(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new FortunesCorpus(dir).lengthRange(9, 5));
        assertThrows(IllegalArgumentException.class, () -> new FortunesCorpus(dir).categories(List.of("a", "a")));

        Path latin1 = dir.resolve("latin1");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n', '%', '\n'});
        var bad = assertThrows(FileFormatException.class, () -> new FortunesCorpus(dir).load());
        assertTrue(bad.getMessage().contains(latin1.toString()) && bad.getMessage().contains("0xe9") && bad.getMessage().contains("line 1"), bad.getMessage());
    }

    @Test
    void debiansFortunesHaveTheIssuesCategories() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FortunesCorpus.DEBIAN_FOLDER),
                FortunesCorpus.DEBIAN_FOLDER + " is absent (Debian: apt-get install fortunes fortunes-min)");
        FortunesCorpus corpus = new FortunesCorpus(FortunesCorpus.DEBIAN_FOLDER);
        List<String> available = corpus.availableCategories();
        Assumptions.assumeTrue(available.containsAll(FortunesCorpus.ISSUE_CATEGORIES),
                "the fortunes package (not only fortunes-min) is needed for all of " + FortunesCorpus.ISSUE_CATEGORIES + "; found " + available);
        LabelledTexts all = corpus.categories(FortunesCorpus.ISSUE_CATEGORIES).load();
        int[] counts = TextSplit.classCounts(all);
        for (int c = 0; c < counts.length; c++) assertTrue(counts[c] >= 50, all.classNames().get(c) + " has only " + counts[c] + " entries");
        for (String t : all.texts()) {
            assertFalse(t.isBlank());
            try (Stream<String> lines = t.lines()) {
                assertTrue(lines.noneMatch(l -> l.equals("%")), t);
            }
        }
        TextSplit split = TextSplit.stratified(all, 0.1, 0.2, 42);
        assertEquals(all.size(), split.train().size() + split.validation().size() + split.test().size());
    }
}
