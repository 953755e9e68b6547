package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.io.Json;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KerasExport}: an exported {@code .keras} file imports back into a model that predicts exactly as
 * the original, holds every weight at Keras 3's path (the fixture's own paths for a Keras-layout CNN), and
 * opens in libhdf5 (Debian's {@code python3-h5py}) with the same datasets jHDF reads.
 */
class KerasExportTest {
    @TempDir Path dir;

    @Test
    void everyExportedModelImportsBackAndPredictsExactlyTheSame() throws Exception {
        for (var e : ExportedSeeds.models().entrySet()) {
            Model original = e.getValue();
            Path file = dir.resolve(e.getKey() + ".keras");
            KerasExport.save(original, file);
            Model back = KerasImport.load(file);
            List<Tensor> inputs = inputsFor(original);
            List<Tensor> want = original.call(inputs, false);
            List<Tensor> got = back.call(inputs, false);
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i).toFloatArray(), got.get(i).toFloatArray(), e.getKey() + ": output " + i + " differs after export and import");
            }
            assertEquals(original.isCompiled(), back.isCompiled(), e.getKey() + ": compile settings travel");
            assertEquals(weightValues(original), weightValues(back), e.getKey() + ": every weight travels");
        }
    }

    @Test
    void weightsSitAtKeras3PathsAndEveryGroupHasANameAttribute() throws Exception {
        Path file = dir.resolve("recurrent.keras");
        Model model = ExportedSeeds.models().get("recurrent");
        KerasExport.save(model, file);
        Map<String, String> datasets = datasets(file);
        assertEquals(List.of("layers/dense/vars/0", "layers/dense/vars/1", "layers/gru/cell/vars/0", "layers/gru/cell/vars/1", "layers/gru/cell/vars/2",
                "layers/gru_1/cell/vars/0", "layers/gru_1/cell/vars/1", "layers/gru_1/cell/vars/2", "layers/lstm/cell/vars/0", "layers/lstm/cell/vars/1",
                "layers/lstm/cell/vars/2", "layers/simple_rnn/cell/vars/0", "layers/simple_rnn/cell/vars/1", "layers/simple_rnn/cell/vars/2"),
                List.copyOf(datasets.keySet()));
        assertEquals("[2, 12]", datasets.get("layers/gru/cell/vars/2"), "reset_after=true: two biases");
        assertEquals("[9]", datasets.get("layers/gru_1/cell/vars/2"), "reset_after=false: one bias");
        try (HdfFile h5 = HdfFile.fromBytes(entries(file).get("model.weights.h5"))) {
            assertEquals(model.layers().get(2).name(), h5.getByPath("layers/gru_1/cell/vars").getAttribute("name").getData(), "a vars group is named after its layer");
            assertGroupsNamed(h5);
        }
    }

    @Test
    void theKeras3FixtureExportsToItsOwnWeightPaths() throws Exception {
        Path fixture = Fixtures.interop().resolve("keras3_synthetic/cnn_seed.keras");
        Model model = KerasImport.load(fixture);
        Path file = dir.resolve("again.keras");
        KerasExport.save(model, file);
        Map<String, String> fixtureDatasets = datasets(fixture);
        assertEquals(fixtureDatasets, datasets(file));
        Tensor x = Fixtures.npy(fixture.resolveSibling("input.npy"));
        assertArrayEquals(model.predict(x).toFloatArray(), KerasImport.load(file).predict(x).toFloatArray());
        Map<?, ?> metadata = (Map<?, ?>) Json.parse(new String(entries(file).get("metadata.json"), StandardCharsets.UTF_8));
        assertTrue(String.valueOf(metadata.get("keras_version")).startsWith("3."), "metadata: " + metadata);
    }

    /** libhdf5 (through h5py) opens every exported weights file and lists the datasets and shapes jHDF reads. */
    @Test
    void libhdf5OpensEveryExportedFile() throws Exception {
        assumeTrue(h5pyAvailable(), "skipped: /usr/bin/python3 with h5py (Debian's python3-h5py) is not installed; apt-get install python3-h5py");
        for (var e : ExportedSeeds.files(dir).entrySet()) {
            Path h5 = dir.resolve(e.getKey() + ".h5");
            Files.write(h5, entries(e.getValue()).get("model.weights.h5"));
            String script = "import h5py, sys\n"
                    + "out = []\n"
                    + "def visit(name, obj):\n"
                    + "    if isinstance(obj, h5py.Dataset):\n"
                    + "        obj[()]\n" // reads the values: libhdf5 must decode them
                    + "        out.append(name + ' ' + str(list(obj.shape)).replace(' ', ''))\n"
                    + "    else:\n"
                    + "        dict(obj.attrs)\n"
                    + "with h5py.File(sys.argv[1], 'r') as f:\n"
                    + "    f.visititems(visit)\n"
                    + "print('\\n'.join(sorted(out)))\n";
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", script, h5.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "h5py timed out");
            assertEquals(0, p.exitValue(), e.getKey() + ": libhdf5 could not read the file:\n" + output);
            List<String> expected = new ArrayList<>();
            datasets(e.getValue()).forEach((path, shape) -> expected.add(path + " " + shape.replace(" ", "")));
            assertEquals(String.join("\n", expected), output.strip(), e.getKey() + ": h5py lists other datasets than jHDF");
        }
    }

    static boolean h5pyAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import h5py").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void assertGroupsNamed(Group g) {
        for (Node child : g.getChildren().values()) {
            if (child instanceof Group sub) {
                assertTrue(sub.getAttribute("name") != null, "group '" + sub.getPath() + "' has no name attribute");
                assertGroupsNamed(sub);
            }
        }
    }

    /** Every dataset of a .keras file's weights: path to shape, sorted by path. */
    static Map<String, String> datasets(Path keras) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (HdfFile h5 = HdfFile.fromBytes(entries(keras).get("model.weights.h5"))) {
            collect(h5, out);
        }
        return out;
    }

    private static void collect(Group g, Map<String, String> out) {
        for (Node child : g.getChildren().values()) {
            if (child instanceof Dataset d) out.put(d.getPath().substring(1), java.util.Arrays.toString(d.getDimensions()));
            else if (child instanceof Group sub) collect(sub, out);
        }
    }

    static Map<String, byte[]> entries(Path keras) throws IOException {
        Map<String, Long> limits = new LinkedHashMap<>();
        for (String name : new String[] {"metadata.json", "config.json", "model.weights.h5"}) limits.put(name, 1L << 24);
        return ZipArchive.read(keras, limits);
    }

    private static List<List<Float>> weightValues(Model m) {
        List<List<Float>> out = new ArrayList<>();
        for (Parameter p : m.weights()) {
            List<Float> v = new ArrayList<>();
            for (float f : p.value().toFloatArray()) v.add(f);
            out.add(v);
        }
        return out;
    }

    /** Random inputs of each model input's shape, batch 3 (token ids for an Embedding). */
    private static List<Tensor> inputsFor(Model m) {
        SplittableRandom r = new SplittableRandom(5);
        List<Tensor> out = new ArrayList<>();
        boolean ids = m.layers().get(0) instanceof Embedding;
        for (SymbolicTensor in : m.inputs()) {
            int[] shape = in.shape().toArray();
            int[] batch = new int[shape.length + 1];
            batch[0] = 3;
            System.arraycopy(shape, 0, batch, 1, shape.length);
            int n = 1;
            for (int d : batch) n *= d;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = ids ? r.nextInt(11) : (float) r.nextDouble(-1, 1);
            out.add(Tensor.of(v, batch));
        }
        return out;
    }
}
