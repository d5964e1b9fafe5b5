package io.fairway.chaos.kafka;

import java.util.Map;

/**
 * The loopback ports of one broker, chosen once when the cluster is planned and kept across restarts (a restarted
 * broker must be where its proxies and its peers look for it).
 *
 * @param clients the port of each client's own listener, by client name
 */
record BrokerPorts(int nodeId, int controller, int broker, int harness, Map<String, Integer> clients) {
    BrokerPorts {
        clients = Map.copyOf(clients);
    }
}
