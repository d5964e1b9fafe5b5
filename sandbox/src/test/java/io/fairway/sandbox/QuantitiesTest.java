package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @Test
    void writesAndReadsTheUsualForms() {
        assertThat(Quantities.cpu(2000)).isEqualTo("2");
        assertThat(Quantities.cpu(500)).isEqualTo("500m");
        assertThat(Quantities.memory(4L << 30)).isEqualTo("4Gi");
        assertThat(Quantities.memory(512L << 20)).isEqualTo("512Mi");
        assertThat(Quantities.memory(2L << 40)).isEqualTo("2Ti");
        assertThat(Quantities.memory(1000)).isEqualTo("1000");
        assertThat(Quantities.parseCpu("1.5")).isEqualTo(1500);
        assertThat(Quantities.parseCpu("250m")).isEqualTo(250);
        assertThat(Quantities.parseMemory("4Gi")).isEqualTo(4L << 30);
        assertThat(Quantities.parseMemory("1G")).isEqualTo(1_000_000_000L);
        assertThat(Quantities.parseMemory("1.5Ki")).isEqualTo(1536);
        assertThat(Quantities.parseMemory("123")).isEqualTo(123);
    }
}
