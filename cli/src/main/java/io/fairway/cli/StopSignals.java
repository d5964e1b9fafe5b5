package io.fairway.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, for a command that must close its parts in order: by default the
 * JVM runs every shutdown hook at once, so an embedded broker could stop (and its files go) while its clients still
 * write to it. The first signal calls {@code stop}; the second exits at once (status 130), running the shutdown hooks.
 */
final class StopSignals {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /**
     * Installs the handlers; returns what puts the previous ones back. Where the JVM keeps a signal for itself (e.g.
     * with {@code -Xrs}), it stays the JVM's: a shutdown hook should then ask to stop too.
     *
     * @param beforeQuit runs on the second signal, before the exit
     */
    static Runnable install(Runnable stop, Runnable beforeQuit) {
        AtomicInteger count = new AtomicInteger();
        SignalHandler handler = sig -> {
            if (count.getAndIncrement() == 0) {
                stop.run();
            } else {
                beforeQuit.run();
                System.exit(130);
            }
        };
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal s = new Signal(name);
                previous.put(s, Signal.handle(s, handler));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("SIG{} stays the JVM's: {}", name, e.toString());
            }
        }
        return () -> previous.forEach((s, h) -> {
            try {
                Signal.handle(s, h);
            } catch (IllegalArgumentException e) {
                LOG.debug("could not put back the handler of SIG{}: {}", s.getName(), e.toString());
            }
        });
    }
}
