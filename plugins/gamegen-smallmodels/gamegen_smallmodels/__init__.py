"""gamegen-smallmodels: small generative models a studio trains from scratch on its own sprites or tiles.

Trainers ``image.ddpm`` (diffusion), ``image.gan`` (data-efficient GAN) and ``image.vae`` (VAE), and the generators
``character.learned`` and ``texture.learned`` that sample them, with a copy check against the training items.
Entry points: ``gamegen_smallmodels.trainers`` (``gamegen.trainers``) and ``gamegen_smallmodels.generators``
(``gamegen.generators``). Torch is imported only when a model trains or samples.
"""

__version__ = "1.0.0"
