"""What the fresh-problem generator knows about each scheduler, one template per scheduler."""

from bot.content.generator.templates.base import Template
from bot.content.generator.templates.constant_lr import ConstantLRTemplate
from bot.content.generator.templates.cosine_annealing_lr import CosineAnnealingLRTemplate
from bot.content.generator.templates.cosine_annealing_warm_restarts import WarmRestartsTemplate
from bot.content.generator.templates.cyclic_lr import CyclicLRTemplate
from bot.content.generator.templates.exponential_lr import ExponentialLRTemplate
from bot.content.generator.templates.linear_lr import LinearLRTemplate
from bot.content.generator.templates.multi_step_lr import MultiStepLRTemplate
from bot.content.generator.templates.one_cycle_lr import OneCycleLRTemplate
from bot.content.generator.templates.polynomial_lr import PolynomialLRTemplate
from bot.content.generator.templates.step_lr import StepLRTemplate

TEMPLATES: tuple[Template, ...] = (
    StepLRTemplate(),
    MultiStepLRTemplate(),
    ExponentialLRTemplate(),
    CosineAnnealingLRTemplate(),
    WarmRestartsTemplate(),
    LinearLRTemplate(),
    ConstantLRTemplate(),
    PolynomialLRTemplate(),
    OneCycleLRTemplate(),
    CyclicLRTemplate(),
)
