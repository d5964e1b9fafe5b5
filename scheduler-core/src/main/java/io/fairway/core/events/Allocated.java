package io.fairway.core.events;

/**
 * The leader placed a pending pod on a node, charged to a leaf queue. The binder carries it out after commit.
 *
 * @param fpga for a pod that asks for an FPGA function: {@link #FPGA_PROGRAMMED} when the node already has it
 *             programmed and free, {@link #FPGA_REPROGRAM} when a free region will be reprogrammed; empty otherwise
 */
public record Allocated(long time, long epoch, String podUid, String nodeName, String queue, String fpga)
        implements Decision {
    public static final String FPGA_PROGRAMMED = "programmed";
    public static final String FPGA_REPROGRAM = "reprogram";

    public Allocated {
        fpga = fpga == null ? "" : fpga;
    }

    public Allocated(long time, long epoch, String podUid, String nodeName, String queue) {
        this(time, epoch, podUid, nodeName, queue, "");
    }
}
