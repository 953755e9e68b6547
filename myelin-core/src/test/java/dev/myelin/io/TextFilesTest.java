package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.CsvReader;
import dev.myelin.text.LabelledTexts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text that is not UTF-8 is refused naming the file, the byte offset and the line. */
class TextFilesTest {
    @TempDir Path dir;

    @Test
    void readsUtf8IncludingMultiByteCharacters() throws IOException {
        Path f = dir.resolve("ok.txt");
        Files.writeString(f, "café, 東京\n", StandardCharsets.UTF_8);
        assertEquals("café, 東京\n", TextFiles.readUtf8(f));
    }

    @Test
    void latin1IsRefusedWithOffsetAndLine() throws IOException {
        Path f = dir.resolve("latin1.csv");
        Files.write(f, "a,b\n1,2\ncaf\u00e9,3\n".getBytes(StandardCharsets.ISO_8859_1));
        IOException ex = assertThrows(IOException.class, () -> TextFiles.readUtf8(f));
        String m = ex.getMessage();
        assertTrue(m.startsWith(f + ": not UTF-8 text: byte 0xe9 at offset 11 (line 3)"), m);
    }

    @Test
    void binaryFileIsRefused() throws IOException {
        Path f = dir.resolve("model.bin");
        Files.write(f, new byte[] {'{', (byte) 0xff, (byte) 0xfe, 0});
        assertTrue(assertThrows(IOException.class, () -> TextFiles.readUtf8(f)).getMessage().contains("offset 1 (line 1)"));
    }

    @Test
    void truncatedMultiByteSequenceAtTheEndIsRefused() throws IOException {
        Path f = dir.resolve("cut.txt");
        Files.write(f, new byte[] {'o', 'k', (byte) 0xe6, (byte) 0x9d});
        assertTrue(assertThrows(IOException.class, () -> TextFiles.readUtf8(f)).getMessage().contains("offset 2"));
    }

    @Test
    void csvAndTextFoldersUseIt() throws IOException {
        Path csv = dir.resolve("latin1.csv");
        Files.write(csv, "x\n\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        var ex = assertThrows(IOException.class, () -> CsvReader.of().header(true).readMatrix(csv));
        assertTrue(ex.getMessage().contains(csv.toString()) && ex.getMessage().contains("offset 2 (line 2)"), ex.getMessage());

        Path texts = dir.resolve("reviews");
        Files.createDirectories(texts.resolve("pos"));
        Path review = texts.resolve("pos").resolve("1.txt");
        Files.write(review, new byte[] {'g', 'o', 'o', 'd', (byte) 0x80});
        var tex = assertThrows(IOException.class, () -> LabelledTexts.fromDirectory(texts));
        assertTrue(tex.getMessage().contains(review.toString()) && tex.getMessage().contains("offset 4"), tex.getMessage());
    }

    @Test
    void csvNumberOutOfFloatRangeIsRefused() throws IOException {
        Path csv = dir.resolve("big.csv");
        Files.writeString(csv, "1,2\n3,1e999\n");
        var ex = assertThrows(IOException.class, () -> CsvReader.of().readMatrix(csv));
        assertTrue(ex.getMessage().contains("line 2, column 2") && ex.getMessage().contains("'1e999'") && ex.getMessage().contains("range"), ex.getMessage());
    }
}
