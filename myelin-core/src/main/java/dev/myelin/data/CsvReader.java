package dev.myelin.data;

import dev.myelin.io.TextFiles;
import dev.myelin.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads numeric CSV files: every field a number ({@link Float#parseFloat} syntax, surrounding spaces
 * and double quotes allowed), an optional header line of column names, blank lines skipped. One column
 * may be the label: {@link #read} returns it as {@code y} and the other columns, in order, as {@code x}.
 *
 * <p>Settings are immutable (each setter returns a new reader). Defaults: no header, comma-separated,
 * label in the last column. Errors are {@link IOException}s naming the file, the line and the column
 * (both counted from 1, as editors show them) — a value that is not a number, an empty value, a row with
 * the wrong number of fields.
 *
 * <p>Shapes: {@code x [rows, columns − 1]}, {@code y [rows]} float32; {@link #readMatrix} gives
 * {@code [rows, columns]}.
 *
 * <p>Example:
 * <pre>{@code
 * Dataset d = CsvReader.of().header(true).label("quality").read(Path.of("winequality-red.csv"))
 * // a semicolon-separated file: CsvReader.of().delimiter(';') ...
 * }</pre>
 */
public final class CsvReader {
    private final boolean header;
    private final char delimiter;
    private final String labelName;   // null: by index
    private final int labelIndex;

    private CsvReader(boolean header, char delimiter, String labelName, int labelIndex) {
        this.header = header;
        this.delimiter = delimiter;
        this.labelName = labelName;
        this.labelIndex = labelIndex;
    }

    /** A reader with the defaults: no header, comma-separated, label in the last column. */
    public static CsvReader of() {
        return new CsvReader(false, ',', null, -1);
    }

    /** Whether the first non-blank line holds column names. */
    public CsvReader header(boolean header) {
        return new CsvReader(header, delimiter, labelName, labelIndex);
    }

    /** The field separator (not a double quote, space or line break). */
    public CsvReader delimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == ' ') {
            throw new IllegalArgumentException("CsvReader: delimiter " + (int) delimiter + " ('" + delimiter + "') cannot separate fields");
        }
        return new CsvReader(header, delimiter, labelName, labelIndex);
    }

    /** The label column by its header name (needs {@code header(true)}). */
    public CsvReader label(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("CsvReader: label column name must not be blank");
        return new CsvReader(header, delimiter, name.strip(), labelIndex);
    }

    /** The label column by index, counted from 0; negative counts from the end (-1: the last column). */
    public CsvReader label(int index) {
        return new CsvReader(header, delimiter, null, index);
    }

    /** Reads the label column as {@code y [rows]} and the other columns as {@code x [rows, columns − 1]}. */
    public Dataset read(Path file) throws IOException {
        if (labelName != null && !header) {
            throw new IllegalArgumentException("CsvReader: the label column is given by name ('" + labelName + "'), which needs header(true); reading " + file);
        }
        Table t = parse(file);
        int label;
        if (labelName != null) {
            label = t.names.indexOf(labelName);
            if (label < 0) throw new IOException(file + ": no column named '" + labelName + "'; the columns are " + String.join(", ", t.names));
        } else {
            label = labelIndex < 0 ? labelIndex + t.cols : labelIndex;
            if (label < 0 || label >= t.cols) {
                throw new IOException(file + ": label column index " + labelIndex + " is out of range for " + t.cols + " columns");
            }
        }
        int f = t.cols - 1;
        float[] x = new float[t.rows * f];
        float[] y = new float[t.rows];
        for (int r = 0; r < t.rows; r++) {
            int src = r * t.cols;
            System.arraycopy(t.values, src, x, r * f, label);
            System.arraycopy(t.values, src + label + 1, x, r * f + label, t.cols - label - 1);
            y[r] = t.values[src + label];
        }
        return new Dataset(x, new int[] {t.rows, f}, y, new int[] {t.rows});
    }

    /** Reads every column (the label setting is ignored) as {@code [rows, columns]}. */
    public Tensor readMatrix(Path file) throws IOException {
        Table t = parse(file);
        return Tensor.of(Arrays.copyOf(t.values, t.rows * t.cols), t.rows, t.cols);
    }

    private record Table(List<String> names, int rows, int cols, float[] values) {}

    private Table parse(Path file) throws IOException {
        List<String> names = null;
        int cols = -1, firstLine = 0, rows = 0;
        float[] values = new float[1024];
        int used = 0;
        List<String> fields = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new StringReader(TextFiles.readUtf8(file)))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                split(file, lineNo, line, fields);
                if (cols < 0) {
                    cols = fields.size();
                    firstLine = lineNo;
                    if (header) {
                        names = List.copyOf(fields);
                        continue;
                    }
                } else if (fields.size() != cols) {
                    throw new IOException(file + ", line " + lineNo + ": " + fields.size() + " fields, expected " + cols
                            + " (as on line " + firstLine + ")");
                }
                if (used + cols > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, used + cols));
                for (int c = 0; c < cols; c++) values[used++] = number(file, lineNo, c, fields.get(c), names);
                rows++;
            }
        }
        if (rows == 0) throw new IOException(file + ": no data rows" + (header ? " after the header" : ""));
        return new Table(names, rows, cols, values);
    }

    private static float number(Path file, int line, int col, String field, List<String> names) throws IOException {
        String where = file + ", line " + line + ", column " + (col + 1) + (names != null ? " (" + names.get(col) + ")" : "");
        if (field.isEmpty()) throw new IOException(where + ": empty value, expected a number");
        char last = field.charAt(field.length() - 1);
        // parseFloat would also take Java suffixes such as "1f" or "2d"; a CSV number ends in a digit, '.', NaN or Infinity.
        boolean plausible = Character.isDigit(last) || last == '.' || field.endsWith("NaN") || field.endsWith("Infinity");
        try {
            if (plausible) {
                float v = Float.parseFloat(field);
                if (Float.isInfinite(v) && !field.endsWith("Infinity")) {
                    throw new IOException(where + ": '" + field + "' is out of float32's range (magnitude up to 3.4e38)");
                }
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IOException(where + ": '" + field + "' is not a number"
                + (line == 1 && names == null ? " (if this line is a header, use header(true))" : ""));
    }

    /** Splits one line into stripped fields; double quotes group (and {@code ""} escapes a quote inside them). */
    private void split(Path file, int lineNo, String line, List<String> out) throws IOException {
        out.clear();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        sb.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    sb.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == delimiter) {
                out.add(sb.toString().strip());
                sb.setLength(0);
            } else {
                sb.append(ch);
            }
        }
        if (quoted) throw new IOException(file + ", line " + lineNo + ": unclosed double quote");
        out.add(sb.toString().strip());
    }
}
