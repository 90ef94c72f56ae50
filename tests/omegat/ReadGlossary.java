import java.io.File;
import java.util.List;

import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryReaderTSV;

/** Reads a glossary with OmegaT's own TSV reader and prints what OmegaT sees, one entry per line. */
public class ReadGlossary {
    public static void main(String[] args) throws Exception {
        List<GlossaryEntry> entries = GlossaryReaderTSV.read(new File(args[0]), false);
        System.out.println("entries\t" + entries.size());
        for (GlossaryEntry e : entries) {
            System.out.println(e.getSrcText() + "\t" + e.getLocText() + "\t" + e.getCommentText());
        }
    }
}
