"""The demo data (`dhr demo`): demo.py loads it, lifecycle.py takes the current reviews through
the real lifecycle, content.py and loader.py put the words of data/ (JSON and Markdown) into
each review's documents."""
