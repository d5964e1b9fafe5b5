package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.FilterReply;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * The {@code fairway} command's logging (cli/src/main/resources/logback.xml, not the tests' own): Fairway's lines at
 * INFO, the libraries' at WARN, {@code FAIRWAY_LOG_LEVEL} setting both, and the known harmless warnings shown only at
 * DEBUG.
 */
class LoggingConfigTest {
    private static LoggerContext configured(String fairwayLogLevel) throws Exception {
        return configured(fairwayLogLevel, null);
    }

    private static LoggerContext configured(String fairwayLogLevel, String commandLevel) throws Exception {
        LoggerContext ctx = new LoggerContext();
        if (fairwayLogLevel != null) {
            // as the environment variable would: logback looks up context properties before the environment
            ctx.putProperty("FAIRWAY_LOG_LEVEL", fairwayLogLevel);
        }
        if (commandLevel != null) {
            // as Fairway.main sets the system property for an answering command
            ctx.putProperty("fairway.log.level", commandLevel);
        }
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(ctx);
        URL xml = LoggingConfigTest.class.getResource("/logback.xml");
        assertThat(xml).as("the command's logback.xml on the test classpath").isNotNull();
        c.doConfigure(xml);
        return ctx;
    }

    @Test
    void fairwayAtInfoEverythingElseAtWarn() throws Exception {
        LoggerContext ctx = configured(null);
        assertThat(ctx.getLogger("io.fairway.ha.Replica").getEffectiveLevel()).isEqualTo(Level.INFO);
        for (String library : new String[] {"org.apache.kafka.clients.producer.KafkaProducer", "kafka.server.BrokerServer",
                "io.fabric8.kubernetes.client.informers.impl.DefaultSharedIndexInformer", "io.vertx.core.impl.ContextImpl",
                "io.netty.channel.DefaultChannelPipeline", "org.rocksdb.RocksDB", "okhttp3.OkHttpClient",
                "jdk.internal.httpclient.debug", "state.change.logger"}) {
            assertThat(ctx.getLogger(library).getEffectiveLevel()).as(library).isEqualTo(Level.WARN);
        }
    }

    @Test
    void anAnsweringCommandQuietsFairwaysLinesUnlessFairwayLogLevelSaysOtherwise() throws Exception {
        assertThat(configured(null, "WARN").getLogger("io.fairway.log.kafka.KafkaEventLog").getEffectiveLevel())
                .isEqualTo(Level.WARN);
        assertThat(configured("DEBUG", "WARN").getLogger("io.fairway.log.kafka.KafkaEventLog").getEffectiveLevel())
                .isEqualTo(Level.DEBUG);
    }

    @Test
    void fairwayLogLevelSetsFairwaysAndTheLibrariesLevels() throws Exception {
        LoggerContext debug = configured("DEBUG");
        assertThat(debug.getLogger("io.fairway.ha.Replica").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(debug.getLogger("org.apache.kafka.clients.NetworkClient").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(debug.getLogger("io.fabric8.kubernetes.client.Config").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        LoggerContext error = configured("ERROR");
        assertThat(error.getLogger("io.fairway.sandbox.Demo").getEffectiveLevel()).isEqualTo(Level.ERROR);
        assertThat(error.getLogger("kafka.server.BrokerServer").getEffectiveLevel()).isEqualTo(Level.ERROR);
    }

    @Test
    void aKnownHarmlessWarningShowsOnlyAtDebugAndTheRestOfItsLoggersWarningsStill() throws Exception {
        String network = "org.apache.kafka.clients.NetworkClient";
        String doubleClose = "[NodeToControllerChannelManager id=1 name=registration] Attempting to close NetworkClient "
                + "that has already been closed.";
        String unreachable = "[Producer clientId=p] Connection to node 1 (/127.0.0.1:35623) could not be established. "
                + "Node may not be available.";
        LoggerContext ctx = configured(null);
        assertThat(reply(ctx, network, Level.WARN, doubleClose)).isEqualTo(FilterReply.DENY);
        assertThat(reply(ctx, network, Level.WARN, unreachable)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(reply(ctx, "org.apache.kafka.clients.producer.internals.Sender", Level.WARN, "[Producer "
                + "clientId=fairway-decisions-fairway.events-0-2.6, transactionalId=fairway-leader-fairway.events-0] Got "
                + "error produce response with correlation id 22 on topic-partition fairway.events-0, retrying "
                + "(2147483646 attempts left). Error: CONCURRENT_TRANSACTIONS")).isEqualTo(FilterReply.DENY);
        assertThat(reply(ctx, "org.apache.kafka.controller.QuorumController", Level.WARN, "[QuorumController id=1] "
                + "Performing controller activation. The metadata log appears to be empty.")).isEqualTo(FilterReply.DENY);
        // the same text from another logger, or at ERROR, is not the known one
        assertThat(reply(ctx, "io.fairway.log.kafka.KafkaEventLog", Level.WARN, doubleClose))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(reply(ctx, network, Level.ERROR, doubleClose)).isEqualTo(FilterReply.NEUTRAL);
        // at DEBUG it shows
        assertThat(reply(configured("DEBUG"), network, Level.WARN, doubleClose)).isEqualTo(FilterReply.NEUTRAL);
    }

    private static FilterReply reply(LoggerContext ctx, String logger, Level level, String message) {
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) ctx.getLogger("ROOT")
                .getAppender("STDERR");
        LoggingEvent e = new LoggingEvent(LoggingConfigTest.class.getName(), ctx.getLogger(logger), level, message,
                null, null);
        return stderr.getCopyOfAttachedFiltersList().getFirst().decide(e);
    }
}
