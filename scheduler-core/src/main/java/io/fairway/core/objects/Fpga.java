package io.fairway.core.objects;

/**
 * The resource names of Intel's FPGA device plugin. A node offers {@code fpga.intel.com/region-<interface>} for each
 * region it has of an interface, and {@code fpga.intel.com/af-<interface>.<function>} for the regions already programmed
 * with a function. A pod that names a function ({@code fairway.io/fpga-function}) asks for regions of its interface;
 * a region already holding the function saves reprogramming it.
 */
public final class Fpga {
    public static final String PREFIX = "fpga.intel.com/";

    private Fpga() {
    }

    public static String region(String iface) {
        return PREFIX + "region-" + iface;
    }

    public static String function(String fn) {
        return PREFIX + "af-" + fn;
    }
}
