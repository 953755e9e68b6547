package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The README's command tables list exactly the commands that exist, and every command's help is complete. */
class CommandTableTest {
    private static CommandLine cli() {
        CommandLine cli = new CommandLine(new Main());
        Main.addSequenceCommands(cli);
        return cli;
    }

    private static Set<String> commands() {
        Set<String> names = new TreeSet<>();
        for (var e : cli().getSubcommands().entrySet()) {
            CommandSpec spec = e.getValue().getCommandSpec();
            if (e.getKey().equals(spec.name()) && !spec.name().equals("help")) names.add(spec.name()); // aliases map to the same spec
        }
        return names;
    }

    @Test
    void theReadmeTablesListEveryCommandAndNoOther() throws IOException {
        Path readme = Path.of("..", "README.md");
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("^\\| `\\./myelin ([a-z-]+)", Pattern.MULTILINE).matcher(Files.readString(readme));
        while (m.find()) documented.add(m.group(1));
        Set<String> missing = new TreeSet<>(commands());
        missing.removeAll(documented);
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(commands());
        assertEquals(Set.of(), missing, "commands with no row in a README table ('| `./myelin NAME ...`')");
        assertEquals(Set.of(), unknown, "README rows for commands that do not exist");
    }

    @Test
    void everyCommandAndOptionIsDescribedInWholeSentences() {
        List<String> problems = new ArrayList<>();
        for (String name : commands()) {
            CommandSpec spec = cli().getSubcommands().get(name).getCommandSpec();
            String description = String.join(" ", spec.usageMessage().description()).strip();
            if (description.isEmpty()) problems.add(name + ": no description");
            else if (!description.endsWith(".") && !description.endsWith(")")) problems.add(name + ": description stops mid-sentence: " + description);
            for (OptionSpec o : spec.options()) {
                if (o.usageHelp() || o.versionHelp()) continue;
                String d = String.join(" ", o.description()).strip();
                if (d.isEmpty()) problems.add(name + " " + o.longestName() + ": no description");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
