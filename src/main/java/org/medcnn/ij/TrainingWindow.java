package org.medcnn.ij;

import ij.WindowManager;

import java.awt.BorderLayout;
import java.awt.Button;
import java.awt.Canvas;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.EventQueue;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.Frame;
import java.awt.Graphics;
import java.awt.Label;
import java.awt.Panel;
import java.awt.TextArea;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;

/**
 * The live training window: the dataset fingerprint and the training plan (notes, at the top), the loss/metric plot
 * of {@link TrainingPlotModel}, a status line (epoch, values, time left, device) and a Stop button. Stop (or closing the window while training runs) calls the given action,
 * which requests cancellation; the engine then saves the best model so far. The window stays open after the
 * run with the final plot and status. Updates may come from any thread; they are applied on the event thread.
 */
final class TrainingWindow extends Frame {

	private static final long serialVersionUID = 1L;

	private final PlotCanvas canvas = new PlotCanvas();
	private final Label status = new Label("Starting…");
	private final Button stop = new Button("Stop");
	private final TextArea notes = new TextArea("", 7, 90, TextArea.SCROLLBARS_VERTICAL_ONLY);
	private volatile boolean running = true;

	/**
	 * @param title the window title
	 * @param onStop run (on the event thread) when the user presses Stop or closes the window during training
	 */
	TrainingWindow(String title, Runnable onStop) {
		super(title);
		setLayout(new BorderLayout());
		add(canvas, BorderLayout.CENTER);
		notes.setEditable(false);
		notes.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 11));
		add(notes, BorderLayout.NORTH);
		Panel south = new Panel(new BorderLayout());
		status.setForeground(Color.DARK_GRAY);
		south.add(status, BorderLayout.CENTER);
		Panel buttons = new Panel(new FlowLayout(FlowLayout.RIGHT));
		stop.addActionListener(e -> {
			stop.setEnabled(false);
			status.setText("Stopping after this step; the best model so far will be saved…");
			onStop.run();
		});
		buttons.add(stop);
		south.add(buttons, BorderLayout.EAST);
		add(south, BorderLayout.SOUTH);
		addWindowListener(new WindowAdapter() {
			@Override
			public void windowClosing(WindowEvent e) {
				if (running) onStop.run();
				WindowManager.removeWindow(TrainingWindow.this);
				dispose();
			}
		});
	}

	/** Shows the window and lists it in ImageJ's Window menu. */
	void open(BufferedImage plot, String text) {
		EventQueue.invokeLater(() -> {
			canvas.image = plot;
			status.setText(text);
			pack();
			WindowManager.addWindow(this);
			setVisible(true);
		});
	}

	/** Replaces the plot and the status line. */
	void update(BufferedImage plot, String text) {
		EventQueue.invokeLater(() -> {
			canvas.image = plot;
			status.setText(text);
			canvas.repaint();
		});
	}

	/** Adds a note (the fingerprint, the plan, the memory plan) to the text above the plot. */
	void note(String text) {
		EventQueue.invokeLater(() -> notes.append((notes.getText().isEmpty() ? "" : "\n") + text));
	}

	/** The notes' text. */
	String notesText() {
		return notes.getText();
	}

	/** Ends the run: shows the final status and disables Stop; the window stays open. */
	void finished(String text) {
		running = false;
		EventQueue.invokeLater(() -> {
			stop.setEnabled(false);
			status.setText(text);
		});
	}

	/** The Stop button (for tests and scripts that press it). */
	Button stopButton() {
		return stop;
	}

	/** The status line's text. */
	String statusText() {
		return status.getText();
	}

	/** Paints the latest plot image. */
	private static final class PlotCanvas extends Canvas {
		private static final long serialVersionUID = 1L;
		volatile BufferedImage image;

		@Override
		public Dimension getPreferredSize() {
			BufferedImage i = image;
			return i == null ? new Dimension(600, 360) : new Dimension(i.getWidth(), i.getHeight());
		}

		@Override
		public void update(Graphics g) {
			paint(g); // no clearing first: avoids flicker
		}

		@Override
		public void paint(Graphics g) {
			BufferedImage i = image;
			if (i != null) g.drawImage(i, 0, 0, null);
		}
	}
}
