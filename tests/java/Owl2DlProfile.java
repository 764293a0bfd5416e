// The OWL API's own OWL 2 DL profile checker over each file named: one line per violation
// ("VIOLATION <file> <what>"), then "CHECKED <file> <count>". Compiled and run by tests/test_owl_profile.py.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;

public class Owl2DlProfile {
    public static void main(String[] args) throws Exception {
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();  // one each: no shared terms
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            OWLProfileReport report = Profiles.OWL2_DL.checkOntology(ontology);
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println("VIOLATION " + path + " " + violation.toString().replace('\n', ' '));
            }
            System.out.println("CHECKED " + path + " " + report.getViolations().size());
        }
    }
}
