package io.fairway.core.scheduler;

import io.fairway.core.objects.Fpga;

/**
 * A pod that names an FPGA function would rather have a node where the function is already programmed on as many free
 * regions as it asks (at least one) than one where a region must be reprogrammed.
 */
final class FpgaProgrammed implements NodePreference {
    static final FpgaProgrammed INSTANCE = new FpgaProgrammed();

    private FpgaProgrammed() {
    }

    @Override
    public String name() {
        return "FpgaProgrammed";
    }

    @Override
    public boolean applies(NodeAsk ask) {
        return !ask.fpgaFunction().isEmpty();
    }

    @Override
    public boolean prefers(NodeAsk ask, NodeIndex.Entry node) {
        return node.programmedFree(ask.fpgaFunction()) >= Math.max(1, regions(ask));
    }

    /** The regions of its function's interface the pod asks for. */
    static long regions(NodeAsk ask) {
        return ask.requests().get(Fpga.region(ask.fpgaInterface()));
    }
}
