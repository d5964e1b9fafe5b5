package io.fairway.core.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YuniKornLabelsTest {
    private static Map<String, String> info(String v) {
        return Map.of(YuniKornLabels.USER_INFO, v);
    }

    @Test
    void userInfoIsReadFromJsonOrYamlAndTheSameTextGivesTheSameAnswer() {
        for (int round = 0; round < 3; round++) {
            assertThat(YuniKornLabels.userInfo(info("{\"user\":\"alice\",\"groups\":[\"ml\",\"dev\"]}")))
                    .isEqualTo(new YuniKornLabels.UserInfo("alice", List.of("ml", "dev")));
            assertThat(YuniKornLabels.userInfo(info("user: bob"))).isEqualTo(new YuniKornLabels.UserInfo("bob", List.of()));
            assertThat(YuniKornLabels.userInfo(info("{\"user\": [\"not\", \"a name\"]}"))).isNull();
            assertThat(YuniKornLabels.userInfo(info("{unclosed"))).isNull();
        }
        assertThat(YuniKornLabels.userInfo(Map.of())).isNull();
    }

    @Test
    void manyDistinctAnnotationsAreAllReadCorrectly() {
        // more distinct texts than the cache holds: answers must not mix up when it is emptied
        for (int i = 0; i < 10_000; i++) {
            assertThat(YuniKornLabels.userInfo(info("{\"user\":\"u" + i + "\"}")).user()).isEqualTo("u" + i);
        }
    }
}
