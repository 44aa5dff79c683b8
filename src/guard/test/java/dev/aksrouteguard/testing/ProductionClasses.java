package dev.aksrouteguard.testing;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * For ArchUnit: production classes only. The modules build into {@code target/<module>/}, which ArchUnit's own
 * test-class filter misses, and the guard's test classes reach the CLI module as a {@code -tests.jar}.
 */
public final class ProductionClasses implements ImportOption {

    @Override
    public boolean includes(Location location) {
        return !location.contains("/test-classes/") && !location.contains("-tests.jar");
    }
}
