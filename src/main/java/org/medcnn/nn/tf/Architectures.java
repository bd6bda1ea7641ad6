package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.List;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The network architectures: 2D U-Net, CNN classifier and MLP baseline (NHWC), 3D U-Net (NDHWC); one input channel,
 * except the 2.5D U-Net ({@link SegmenterConfig#channels()} channels).
 * Each applies its config's {@link org.medcnn.nn.LayerConfig}: batch norm after every hidden convolution or dense layer, dropout on
 * the U-Net bottleneck (the deepest level's output) and on the input of the classifier's output layer.
 */
final class Architectures {

	private Architectures() {}

	/**
	 * 2D U-Net (Ronneberger et al. 2015, with 'same' padding): per level two 3×3 conv → activation, filters
	 * {@code base·2^level}; 2×2 max pooling down; 2×2 transposed convolution up, concatenated with the skip
	 * connection; a final 1×1 convolution gives one logit per pixel. Height and width must be multiples of
	 * {@code 2^(depth-1)}. The input has {@link SegmenterConfig#channels()} channels (1 unless 2.5D).
	 */
	static TrainableNet.Architecture unet2d(SegmenterConfig cfg) {
		return (layers, input) -> {
			layers.options(cfg.layers());
			List<Operand<TFloat32>> skips = new ArrayList<>();
			Operand<TFloat32> x = input;
			int cin = cfg.channels();
			for (int level = 0; level < cfg.depth(); level++) {
				int f = cfg.baseFilters() << level;
				x = layers.convAct("enc" + level + "_conv1", x, 3, cin, f);
				x = layers.convAct("enc" + level + "_conv2", x, 3, f, f);
				cin = f;
				if (level < cfg.depth() - 1) {
					skips.add(x);
					x = layers.pool(x, "max");
				} else {
					x = layers.dropout(x);
				}
			}
			for (int level = cfg.depth() - 2; level >= 0; level--) {
				int f = cfg.baseFilters() << level;
				Operand<TFloat32> skip = skips.get(level);
				Operand<TFloat32> up = layers.upconv("dec" + level + "_up", x, skip, cin, f);
				x = layers.concat(List.of(skip, up));
				x = layers.convAct("dec" + level + "_conv1", x, 3, 2 * f, f);
				x = layers.convAct("dec" + level + "_conv2", x, 3, f, f);
				cin = f;
			}
			return layers.conv("head", x, 1, cin, 1, false);
		};
	}

	/**
	 * 3D U-Net (Çiçek et al. 2016, with 'same' padding), NDHWC: per level two 3×3×3 conv → activation, filters
	 * {@code base·2^level}; max pooling down (2×2×2, or 1×2×2 where {@link Segmenter3dConfig#poolsZ} says no);
	 * transposed convolution up with the same factors, concatenated with the skip connection; a final 1×1×1
	 * convolution gives one logit per voxel. Input sizes must be multiples of the config's z and size multiples.
	 */
	static TrainableNet.Architecture unet3d(Segmenter3dConfig cfg) {
		return (layers, input) -> {
			layers.options(cfg.layers());
			List<Operand<TFloat32>> skips = new ArrayList<>();
			Operand<TFloat32> x = input;
			int cin = 1;
			for (int level = 0; level < cfg.depth(); level++) {
				int f = cfg.baseFilters() << level;
				x = layers.convAct3d("enc" + level + "_conv1", x, 3, cin, f);
				x = layers.convAct3d("enc" + level + "_conv2", x, 3, f, f);
				cin = f;
				if (level < cfg.depth() - 1) {
					skips.add(x);
					x = layers.maxPool3d(x, cfg.poolsZ(level) ? 2 : 1);
				} else {
					x = layers.dropout(x);
				}
			}
			for (int level = cfg.depth() - 2; level >= 0; level--) {
				int f = cfg.baseFilters() << level;
				Operand<TFloat32> skip = skips.get(level);
				Operand<TFloat32> up = layers.upconv3d("dec" + level + "_up", x, skip, cin, f, cfg.poolsZ(level) ? 2 : 1);
				x = layers.concat(List.of(skip, up));
				x = layers.convAct3d("dec" + level + "_conv1", x, 3, 2 * f, f);
				x = layers.convAct3d("dec" + level + "_conv2", x, 3, f, f);
				cin = f;
			}
			return layers.conv3d("head", x, 1, cin, 1, false);
		};
	}

	/** CNN or MLP classifier producing {@code classes} logits. */
	static TrainableNet.Architecture classifier(ClassifierConfig cfg, int classes) {
		return (layers, input) -> {
			layers.options(cfg.layers());
			Operand<TFloat32> x = input;
			int side = cfg.inputSize(), channels = 1;
			if (cfg.architecture().equals("cnn")) {
				int[] filters = cfg.filters();
				for (int i = 0; i < filters.length; i++) {
					x = layers.convAct("block" + i + "_conv", x, 3, channels, filters[i]);
					x = layers.pool(x, cfg.pooling());
					channels = filters[i];
					side /= 2;
				}
			}
			int features = side * side * channels;
			x = layers.flatten(x, features);
			x = layers.denseAct("dense1", x, features, cfg.denseUnits());
			x = layers.dropout(x);
			return layers.dense("dense2", x, cfg.denseUnits(), classes, false);
		};
	}
}
