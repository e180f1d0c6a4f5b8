package org.soardeferred;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The product's layers, from the bottom: common (durations, failure kinds) ← uws ← soar ← store ← transfer ← request
 * ← mirror ← observe ← api ← config (the wiring: the configuration classes and Camel Main) ← cli (the command
 * line) ← the launcher ({@code main}). The simulator stands apart: it uses nothing of the product; the wiring and the
 * command line start it.
 */
class LayersTest {

    private static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.soardeferred");
    }

    @Test
    void noPackageCycle() {
        slices().matching("org.soardeferred.(*)..").should().beFreeOfCycles().check(product);
    }

    /** The product's layers from the top, each a package (the launcher: the root package alone). */
    private static final List<String> TOP_DOWN = List.of("launcher", "cli", "config", "api", "observe", "mirror",
            "request", "transfer", "store", "soar", "uws", "common");

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        Architectures.LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("simulator").definedBy("org.soardeferred.simulator..");
        for (String layer : TOP_DOWN) {
            String packages = layer.equals("launcher") ? "org.soardeferred" : "org.soardeferred." + layer + "..";
            layers = layers.layer(layer).definedBy(packages);
        }
        layers = layers.whereLayer("launcher").mayNotBeAccessedByAnyLayer();
        for (String layer : TOP_DOWN.subList(1, TOP_DOWN.size())) {
            // each layer may be used by those above it only
            String[] above = TOP_DOWN.subList(0, TOP_DOWN.indexOf(layer)).toArray(String[]::new);
            layers = layers.whereLayer(layer).mayOnlyBeAccessedByLayers(above);
        }
        layers.whereLayer("simulator").mayOnlyBeAccessedByLayers("cli", "config").check(product);
    }

    @Test
    void theSimulatorUsesNothingOfTheProduct() {
        noClasses().that().resideInAPackage("org.soardeferred.simulator..")
                .should().dependOnClassesThat(resideInAPackage("org.soardeferred..")
                        .and(resideOutsideOfPackage("org.soardeferred.simulator..")))
                .check(product);
    }
}
