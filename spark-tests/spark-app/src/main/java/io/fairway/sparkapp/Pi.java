package io.fairway.sparkapp;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/** SparkPi, as spark-examples has it (which is not on Maven Central): the tasks run on the executors. */
public final class Pi {
    private Pi() {
    }

    public static void main(String[] args) {
        int slices = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int n = 100_000 * slices;
        try (JavaSparkContext sc = new JavaSparkContext(new org.apache.spark.SparkConf().setAppName("fairway-pi"))) {
            List<Integer> l = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                l.add(i);
            }
            long inside = sc.parallelize(l, slices).filter(i -> {
                double x = Math.random() * 2 - 1;
                double y = Math.random() * 2 - 1;
                return x * x + y * y <= 1;
            }).count();
            System.out.println("Pi is roughly " + 4.0 * inside / n);
        }
    }
}
