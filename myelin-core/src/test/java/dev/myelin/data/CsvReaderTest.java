package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void headerAndLabelByName() throws IOException {
        Path f = write("t.csv", "a, label ,b\n1,0,2.5\n\n-3,1,4e2\r\n\"5\",2,6\n");
        Dataset d = CsvReader.of().header(true).label("label").read(f);
        assertEquals(Shape.of(3, 2), d.xShape());
        assertArrayEquals(new float[] {1, 2.5f, -3, 400, 5, 6}, d.x().toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2}, d.y().toFloatArray());
    }

    @Test
    void labelByIndexDefaultLastAndDelimiter() throws IOException {
        Path f = write("t.csv", "\uFEFF1;2;3\n4;5;6\n");
        Dataset last = CsvReader.of().delimiter(';').read(f);
        assertArrayEquals(new float[] {3, 6}, last.y().toFloatArray());
        assertArrayEquals(new float[] {1, 2, 4, 5}, last.x().toFloatArray());
        Dataset first = CsvReader.of().delimiter(';').label(0).read(f);
        assertArrayEquals(new float[] {1, 4}, first.y().toFloatArray());
        assertArrayEquals(new float[] {2, 3, 5, 6}, first.x().toFloatArray());
        assertEquals(Shape.of(2, 3), CsvReader.of().delimiter(';').readMatrix(f).shape());
    }

    @Test
    void badValueNamesFileLineAndColumn() throws IOException {
        Path f = write("bad.csv", "x,y,label\n1,2,0\n3,abc,1\n");
        var ex = assertThrows(IOException.class, () -> CsvReader.of().header(true).read(f));
        assertEquals(f + ", line 3, column 2 (y): 'abc' is not a number", ex.getMessage());

        Path g = write("empty-field.csv", "1,2\n3,\n");
        var ee = assertThrows(IOException.class, () -> CsvReader.of().read(g));
        assertTrue(ee.getMessage().contains("line 2, column 2") && ee.getMessage().contains("empty"), ee.getMessage());

        Path h = write("suffix.csv", "1f,2\n");
        assertThrows(IOException.class, () -> CsvReader.of().read(h));

        Path header = write("header.csv", "x,label\n1,2\n");
        var he = assertThrows(IOException.class, () -> CsvReader.of().read(header));
        assertTrue(he.getMessage().contains("header(true)"), he.getMessage());
    }

    @Test
    void raggedRowsNameTheLine() throws IOException {
        Path f = write("ragged.csv", "1,2,3\n4,5\n");
        var ex = assertThrows(IOException.class, () -> CsvReader.of().read(f));
        assertEquals(f + ", line 2: 2 fields, expected 3 (as on line 1)", ex.getMessage());
    }

    @Test
    void labelColumnProblems() throws IOException {
        Path f = write("t.csv", "a,b\n1,2\n");
        var ex = assertThrows(IOException.class, () -> CsvReader.of().header(true).label("c").read(f));
        assertTrue(ex.getMessage().contains("'c'") && ex.getMessage().contains("a, b"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.of().label("a").read(f));
        assertThrows(IOException.class, () -> CsvReader.of().header(true).label(2).read(f));
        assertThrows(IOException.class, () -> CsvReader.of().header(true).read(write("h.csv", "a,b\n")));
    }
}
